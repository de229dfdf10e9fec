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

/** Adds a line at the top of a list, keeping at most `max` lines. */
export function prepend(listId: string, text: string, className = '', max = 60): void {
  const list = byId(listId)
  const item = document.createElement('li')
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`
  if (className !== '') item.className = className
  list.prepend(item)
  while (list.childElementCount > max) list.lastElementChild?.remove()
}

/** A reason as the timeline shows it: `(http 502)`, `(stall)`, or nothing. */
export function describeReason(reason: ConnectionReason | undefined): string {
  if (reason === undefined) return ''
  if (reason.kind === 'http') return ` (http ${reason.status})`
  if (reason.kind === 'protocol') return ` (protocol: ${reason.message})`
  return ` (${reason.kind})`
}
