/** The reactions offered by the picker: common ones, each a single RGI emoji as the server requires. */
export const REACTION_CHOICES = [
  { emoji: '👍', label: 'thumbs up' },
  { emoji: '❤️', label: 'heart' },
  { emoji: '😂', label: 'laughing' },
  { emoji: '😮', label: 'surprised' },
  { emoji: '😢', label: 'sad' },
  { emoji: '🙏', label: 'thank you' },
  { emoji: '🎉', label: 'party' },
  { emoji: '👏', label: 'clapping' },
] as const
