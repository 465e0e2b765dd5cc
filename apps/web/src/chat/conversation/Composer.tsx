import { LIMITS } from '@secura/shared'
import {
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react'
import { describeError } from '../../api/http.ts'
import type { DraftFile } from '../../store/attachments.slice.ts'
import { chatClient, useAppStore } from '../../store/index.ts'
import { AttachButtons } from '../attachments/AttachButtons.tsx'
import { DraftTray } from '../attachments/DraftTray.tsx'
import { addToDraft, filesOf } from '../attachments/draft.ts'
import { Icon } from '../Icon.tsx'
import { type NameBook, useMe } from '../names.ts'
import { ComposerContext } from './ComposerContext.tsx'
import { mayAnnounce, mayWriteInLobby, useEventSettings } from './lobbyRules.ts'
import { MentionMenu } from './MentionMenu.tsx'
import { MutedNotice } from './MutedNotice.tsx'
import { mentionedIn, type PickedMention } from './mentions.ts'
import { type MentionOption, useMentionMenu } from './useMentionMenu.ts'
import { useTypingNotifier } from './useTypingNotifier.ts'

/** Unsent text per conversation, kept while the guest looks at another one (this tab only). */
const drafts = new Map<string, string>()
const MAX_HEIGHT_PX = 160
const NO_FILES: DraftFile[] = []

/** The message input: Enter sends, Shift+Enter breaks the line, Esc cancels a reply or an edit. */
export function Composer({
  conversationId,
  title,
  names,
  lobby,
}: {
  conversationId: string
  title: string
  names: NameBook
  /** The event lobby: its settings decide who writes and who announces. */
  lobby: boolean
}) {
  const me = useMe()
  const settings = useEventSettings()
  const closed = lobby && !mayWriteInLobby(me.role, settings)
  const canAnnounce = lobby && mayAnnounce(me.role, settings)
  const [announcing, setAnnouncing] = useState(false)
  const composing = useAppStore((s) => s.composing)
  const setComposing = useAppStore((s) => s.setComposing)
  const setChatNotice = useAppStore((s) => s.setChatNotice)
  const draftFiles = useAppStore((s) => s.attachmentDrafts[conversationId] ?? NO_FILES)
  const clearDraftFiles = useAppStore((s) => s.clearDraftFiles)
  const sending = useRef(false)
  const [text, setText] = useState(() => drafts.get(conversationId) ?? '')
  const draftBeforeEdit = useRef('')
  const input = useRef<HTMLTextAreaElement>(null)
  const typing = useTypingNotifier(conversationId)
  const counterId = useId()
  const menuId = useId()
  const [caret, setCaret] = useState(0)
  const picked = useRef<PickedMention[]>([])
  const menu = useMentionMenu(conversationId, text, caret)

  // Editing puts the message's text in the box (the draft comes back after); replying or editing moves the focus here.
  const textNow = useRef(text)
  textNow.current = text
  const wasEditing = useRef(false)
  useEffect(() => {
    const editing = composing.kind !== 'new'
    if (editing && !wasEditing.current) draftBeforeEdit.current = textNow.current
    wasEditing.current = editing
    if (editing) setText(composing.content)
    if (editing || composing.replyToId) input.current?.focus()
  }, [composing])

  // Grows with the text up to a few lines (CSSOM writes are allowed by the CSP; style attributes are not).
  useLayoutEffect(() => {
    const element = input.current
    if (!element) return
    element.style.height = 'auto'
    // Empty, it stays one line: a placeholder longer than a phone's width must not make it two.
    if (!text) return
    element.style.height = `${Math.min(element.scrollHeight, MAX_HEIGHT_PX)}px`
  }, [text])

  const change = (value: string, caretAt: number) => {
    setText(value)
    setCaret(caretAt)
    if (composing.kind === 'new') {
      drafts.set(conversationId, value)
      typing.typed(value)
    }
  }

  const cancel = () => {
    if (composing.kind !== 'new') setText(draftBeforeEdit.current)
    setComposing({ kind: 'new', replyToId: null })
  }

  const pick = (option: MentionOption) => {
    const next = menu.pick(option)
    if (!next) return
    picked.current = [...picked.current, { id: option.id, name: option.name }]
    change(next.text, next.caret)
    // After React has written the new value: the caret goes after the inserted name.
    requestAnimationFrame(() => input.current?.setSelectionRange(next.caret, next.caret))
  }

  const content = text.trim()
  const tooLong = content.length > LIMITS.messageChars
  // Photos and files go with a new message only; their caption (the text) may be empty.
  const files = composing.kind === 'new' ? draftFiles : NO_FILES
  const canSend = (content !== '' || files.length > 0) && !tooLong
  const submit = async (event?: FormEvent) => {
    event?.preventDefault()
    if (!canSend || sending.current) return
    const mode = composing
    typing.stop()
    setText(mode.kind === 'new' ? '' : draftBeforeEdit.current)
    if (mode.kind === 'new') drafts.delete(conversationId)
    setComposing({ kind: 'new', replyToId: null })
    input.current?.focus()
    try {
      const client = chatClient()
      if (mode.kind === 'edit') await client.edit(mode.messageId, content)
      else if (mode.kind === 'edit-failed') await client.editFailed(mode.clientMessageId, content)
      else if (canAnnounce && announcing) {
        picked.current = []
        setAnnouncing(false)
        await client.announce(conversationId, content)
      } else {
        const mentions = mentionedIn(content, picked.current)
        picked.current = []
        const outgoing = files.map(({ blob, name }) => ({ blob, name }))
        sending.current = true
        try {
          await client.send(conversationId, content, mode.replyToId ?? undefined, mentions, outgoing)
        } finally {
          sending.current = false
        }
        // In the outbox now, bytes and all: the draft's previews can go.
        if (files.length > 0) clearDraftFiles(conversationId)
      }
    } catch (error) {
      setChatNotice(describeError(error))
    }
  }

  const paste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = filesOf(event.clipboardData)
    if (pasted.length === 0 || composing.kind !== 'new') return
    event.preventDefault()
    void addToDraft(conversationId, pasted)
  }

  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (composing.kind === 'new' && menu.key(event, pick)) return
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      void submit()
    } else if (event.key === 'Escape' && (composing.kind !== 'new' || composing.replyToId)) {
      event.preventDefault()
      cancel()
    }
  }

  const editing = composing.kind !== 'new'
  if (closed)
    return (
      <div className="composer">
        <p className="composer-closed" role="status" data-testid="composer-closed">
          The lobby is for announcements: only organizers and moderators write here. You can still react, and
          write to anyone in a direct message or a group.
        </p>
      </div>
    )
  return (
    <form className="composer" onSubmit={(e) => void submit(e)}>
      <MutedNotice />
      <ComposerContext
        conversationId={conversationId}
        composing={composing}
        names={names}
        onCancel={cancel}
      />
      {composing.kind === 'new' && <DraftTray conversationId={conversationId} />}
      {menu.open && composing.kind === 'new' && (
        <MentionMenu id={menuId} options={menu.options} highlighted={menu.highlighted} onPick={pick} />
      )}
      {canAnnounce && composing.kind === 'new' && !composing.replyToId && (
        <label className="composer-announce">
          <input
            type="checkbox"
            data-testid="announce-toggle"
            checked={announcing}
            onChange={(e) => setAnnouncing(e.target.checked)}
          />
          Send as an announcement (stays at the top of the lobby)
        </label>
      )}
      <div className="composer-row">
        {composing.kind === 'new' && (
          <AttachButtons onFiles={(picked) => void addToDraft(conversationId, picked)} />
        )}
        <textarea
          ref={input}
          className="composer-input"
          data-testid="message-input"
          aria-label={editing ? 'Edit message' : `Message ${title}`}
          aria-describedby={tooLong ? counterId : undefined}
          aria-invalid={tooLong}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={menu.open && composing.kind === 'new'}
          aria-controls={menu.open ? menuId : undefined}
          aria-activedescendant={menu.open ? `${menuId}-${menu.highlighted}` : undefined}
          placeholder={editing ? 'Edit your message' : announcing ? 'Announcement' : `Message ${title}`}
          rows={1}
          enterKeyHint="send"
          value={text}
          onChange={(e) => change(e.target.value, e.target.selectionStart)}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={keyDown}
          onPaste={paste}
          onBlur={typing.stop}
        />
        <button
          type="submit"
          className="send-button"
          data-testid="send-button"
          aria-label={editing ? 'Save' : 'Send'}
          title={editing ? 'Save (Enter)' : 'Send (Enter)'}
          disabled={!canSend}
        >
          <Icon name={editing ? 'edit' : 'send'} />
        </button>
      </div>
      {content.length > LIMITS.messageChars - 200 && (
        <p id={counterId} className={tooLong ? 'composer-count field-error' : 'composer-count hint'}>
          {content.length} / {LIMITS.messageChars} characters
        </p>
      )}
    </form>
  )
}
