import type { LocalMessage } from '@secura/chat-client'
import type { ConversationSummary, User } from '@secura/shared'
import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { describeError } from '../../api/http.ts'
import { chatClient, useAppStore } from '../../store/index.ts'
import { Icon } from '../Icon.tsx'
import { useNameBook, useNamesFor } from '../names.ts'
import { dayLabel } from '../time.ts'
import { HistoryProgress, HistoryStart } from './HistoryStart.tsx'
import { TimelineRowView } from './TimelineRowView.tsx'
import { buildTimeline, type TimelineRow } from './timelineRows.ts'
import { useLinkedMessage } from './useLinkedMessage.ts'
import { useMarkRead } from './useMarkRead.ts'
import { useNewerHistory } from './useNewerHistory.ts'
import { useOlderHistory } from './useOlderHistory.ts'

const NO_MESSAGES: LocalMessage[] = []
/** Within this distance (px) of the end the view counts as "at the latest" and follows new messages. */
const END_THRESHOLD = 64
/** Room above the first message for <HistoryStart>, once all history is loaded (px): .timeline-history in chat.css. */
const HISTORY_ROOM = 88

interface MessageTimelineProps {
  conversation: ConversationSummary
  me: User
  /** Names above messages; a direct conversation has only one other sender. */
  showSenders: boolean
}

/**
 * The messages of one conversation, virtualized: only the rows near the view are in the DOM, so a long
 * history stays smooth. Older pages are prepended without moving what the reader is looking at. A message
 * opened far back (a search hit, a link) shows in its window instead of the latest messages: newer pages
 * come as the reader scrolls down, until the window reaches the latest and joins them.
 */
export function MessageTimeline({ conversation, me, showSenders }: MessageTimelineProps) {
  const latest = useAppStore((s) => s.chat.messages[conversation.id]) ?? NO_MESSAGES
  const hasOlderThanLatest = useAppStore((s) => s.chat.hasOlder[conversation.id] ?? false)
  const historyWindow = useAppStore((s) => s.chat.windows[conversation.id])
  const messages = historyWindow?.messages ?? latest
  const hasOlder = historyWindow ? historyWindow.hasOlder : hasOlderThanLatest
  const reads = useAppStore((s) => s.chat.reads[conversation.id])
  const setChatNotice = useAppStore((s) => s.setChatNotice)
  const names = useNameBook()
  const rows = useMemo(() => buildTimeline(messages, { meId: me.id, reads }), [messages, me.id, reads])
  const messagesById = useMemo(
    () => new Map(messages.flatMap((m) => (m.state === 'sent' ? [[m.id, m] as const] : []))),
    [messages],
  )

  // The read mark as it was on opening: the "New messages" line stays where it was while they are read.
  const [opened] = useState(() => ({ read: conversation.lastReadSeq, last: conversation.lastSeq }))
  const firstUnread = useMemo(
    () =>
      opened.read >= opened.last
        ? -1
        : rows.findIndex(
            (r) =>
              r.message.state === 'sent' &&
              r.message.seq > opened.read &&
              r.message.seq <= opened.last &&
              r.message.senderId !== me.id,
          ),
    [rows, opened, me.id],
  )
  // Offered once the first unread is above the rows on screen; gone for good once it has been reached.
  const [unreadJump, setUnreadJump] = useState<'none' | 'offered' | 'done'>('none')
  const firstUnreadNow = useRef(firstUnread)
  firstUnreadNow.current = firstUnread

  useNamesFor(
    useMemo(
      () => [
        ...messages.flatMap((m) =>
          m.state === 'sent' && m.system ? [m.senderId, ...m.system.targetIds] : [m.senderId],
        ),
        ...Object.keys(reads ?? {}),
      ],
      [messages, reads],
    ),
  )

  const scrollRef = useRef<HTMLDivElement>(null)
  const [showJump, setShowJump] = useState(false)
  // Since a window was shown, until the reader is at the latest again: the view does not jump to the
  // latest by itself when the window joins them (the reader is reading where the window was).
  const awayFromLatest = useRef(false)
  if (historyWindow) awayFromLatest.current = true
  const windowed = useRef(false)
  windowed.current = historyWindow !== undefined
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => (rows[index]?.nextDay ? 110 : 70),
    paddingStart: hasOlder ? 0 : HISTORY_ROOM,
    getItemKey: (index) => rows[index]?.key ?? index,
    anchorTo: 'end',
    followOnAppend: !historyWindow && !awayFromLatest.current,
    scrollEndThreshold: END_THRESHOLD,
    overscan: 8,
    directDomUpdates: true,
    onChange: (instance) => {
      const atLatest = instance.isAtEnd(END_THRESHOLD)
      if (atLatest && !windowed.current) awayFromLatest.current = false
      setShowJump(!atLatest)
      // The rows on screen (without the overscan); the virtualizer updates the DOM itself, so this is the
      // one place that hears every scroll.
      const first = firstUnreadNow.current
      const range = instance.range
      if (first < 0 || !range) return
      const above = first < range.startIndex
      setUnreadJump((state) =>
        above && state === 'none' ? 'offered' : !above && state === 'offered' ? 'done' : state,
      )
    },
  })
  // The end of a window is not the latest, nor is the end shown while a link is being followed: reading
  // there marks nothing read.
  const followingLink = useRef<() => boolean>(() => false)
  const atEnd = useCallback(
    () => !windowed.current && !followingLink.current() && virtualizer.isAtEnd(END_THRESHOLD),
    [virtualizer],
  )

  useLayoutEffect(() => virtualizer.scrollToEnd(), [virtualizer])
  const history = useOlderHistory(conversation.id, hasOlder, () => scrollRef.current)
  const markReadIfSeen = useMarkRead(conversation, messages, atEnd)
  useFollowOwnSends(rows.at(-1), me.id, () => virtualizer.scrollToEnd())
  const checkNewer = useNewerHistory(
    conversation.id,
    historyWindow?.hasNewer ?? false,
    () => scrollRef.current,
  )
  useEffect(() => history.check(), [history.check])
  // A new page may still leave the view near the bottom: check again once its rows are in.
  useEffect(() => checkNewer(), [checkNewer, rows])

  const onScroll = () => {
    history.check()
    checkNewer()
    markReadIfSeen()
  }

  // "Jump to latest" from a window: the latest messages replace it, then the view goes to their end.
  const toLatest = useRef(false)
  const jumpToLatest = () => {
    if (!historyWindow) return virtualizer.scrollToEnd()
    toLatest.current = true
    awayFromLatest.current = false
    chatClient().leaveWindow(conversation.id)
  }
  useLayoutEffect(() => {
    if (historyWindow || !toLatest.current) return
    toLatest.current = false
    virtualizer.scrollToEnd()
  }, [historyWindow, virtualizer])

  const jumpTo = (messageId: string) => {
    const index = rows.findIndex((r) => r.message.state === 'sent' && r.message.id === messageId)
    if (index < 0) return
    virtualizer.scrollToIndex(index, { align: 'center' })
    window.setTimeout(
      () => scrollRef.current?.querySelector<HTMLElement>(`[data-message-id="${messageId}"]`)?.focus(),
      250,
    )
  }
  const onActionFailed = (error: unknown) => setChatNotice(describeError(error))
  const { linkedId, following } = useLinkedMessage(conversation.id, rows, jumpTo)
  followingLink.current = following
  const items = virtualizer.getVirtualItems()
  const jumpToUnread = () => {
    setUnreadJump('done')
    virtualizer.scrollToIndex(firstUnread, { align: 'start' })
  }

  return (
    <div className={showJump || historyWindow ? 'timeline-frame timeline-frame-lane' : 'timeline-frame'}>
      <section
        ref={scrollRef}
        className="timeline"
        aria-label="Messages"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable from the keyboard
        tabIndex={0}
        onScroll={onScroll}
        data-testid="timeline"
      >
        <div ref={virtualizer.containerRef} className="timeline-track">
          {!hasOlder && <HistoryStart firstDay={rows[0] ? dayLabel(rows[0].message.timestamp) : null} />}
          {items.map((item) => {
            const row = rows[item.index]
            if (!row) return null
            return (
              <div
                key={item.key}
                ref={virtualizer.measureElement}
                data-index={item.index}
                className="timeline-row"
              >
                <TimelineRowView
                  row={row}
                  firstUnread={item.index === firstUnread}
                  linked={row.message.state === 'sent' && row.message.id === linkedId}
                  me={me}
                  names={names}
                  messagesById={messagesById}
                  showSender={showSenders}
                  onJumpTo={jumpTo}
                  onActionFailed={onActionFailed}
                />
              </div>
            )
          })}
        </div>
      </section>
      <HistoryProgress {...history} />
      {unreadJump === 'offered' && (
        <button type="button" className="jump-unread" onClick={jumpToUnread} data-testid="jump-unread">
          <Icon name="up" /> First unread
        </button>
      )}
      {(showJump || historyWindow) && (
        <button type="button" className="jump-latest" onClick={jumpToLatest} data-testid="jump-latest">
          <Icon name="down" /> {historyWindow ? 'Jump to latest' : 'Latest'}
        </button>
      )}
    </div>
  )
}

/** Sending a message brings the view to it, even when the reader had scrolled up. */
function useFollowOwnSends(last: TimelineRow | undefined, meId: string, scrollToEnd: () => void) {
  const lastKey = useRef(last?.key)
  useEffect(() => {
    if (last?.key === lastKey.current) return
    lastKey.current = last?.key
    if (last?.message.senderId === meId && last.message.state === 'pending') scrollToEnd()
  })
}
