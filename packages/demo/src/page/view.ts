import type { ConnectionReason } from '@lifeline/core'

/** The element with `id`; the page's HTML defines every one the script uses. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`the page has no #${id}`)
  return element as T
}

/** Sets an element's text and `data-value` (the stylesheet colours some values). */
export function show(id: string, value: string | number): void {
  const element = byId(id)
  element.textContent = String(value)
  element.dataset.value = String(value)
}

/** A list shown newest first in a fixed number of rows. */
export interface Rows {
  add(text: string, className?: string): void
  /** Adds `className` and a note to the `count` newest rows (a replay that just completed). */
  tag(count: number, className: string, note: string): void
}

interface Row {
  text: string
  className: string
}

/**
 * Fills the list `listId` with `count` rows once and from then on only rewrites their text:
 * no row is inserted or removed, so nothing on the page moves when a line arrives.
 *
 * @example
 * ```ts
 * const log = createRows('log', 30)
 * log.add('state open → reconnecting (stall)')
 * ```
 */
export function createRows(listId: string, count: number): Rows {
  const list = byId(listId)
  const slots = Array.from({ length: count }, () => list.appendChild(document.createElement('li')))
  let rows: Row[] = []
  const render = () => {
    slots.forEach((slot, index) => {
      const row = rows[index]
      slot.textContent = row?.text ?? ''
      slot.className = row?.className ?? ''
    })
  }
  return {
    add(text, className = '') {
      rows = [{ text: `${new Date().toLocaleTimeString()}  ${text}`, className }, ...rows]
      rows.length = Math.min(rows.length, count)
      render()
    },
    tag(tagged, className, note) {
      for (const row of rows.slice(0, tagged)) {
        row.className = `${row.className} ${className}`.trim()
        row.text += note
      }
      render()
    },
  }
}

/** A reason as the log shows it: `(http 502)`, `(stall)`, or nothing. */
export function describeReason(reason: ConnectionReason | undefined): string {
  if (reason === undefined) return ''
  if (reason.kind === 'http') return ` (http ${reason.status})`
  if (reason.kind === 'protocol') return ` (protocol: ${reason.message})`
  return ` (${reason.kind})`
}
