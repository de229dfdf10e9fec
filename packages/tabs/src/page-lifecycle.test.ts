import { afterEach, describe, expect, it, vi } from 'vitest'
import { type PageSignal, pageLifecycle } from './page-lifecycle'

afterEach(() => {
  vi.unstubAllGlobals()
})

/** A window and its document as event targets, installed as the globals a page has. */
function stubPage() {
  const win = new EventTarget()
  const doc = new EventTarget()
  vi.stubGlobal('addEventListener', win.addEventListener.bind(win))
  vi.stubGlobal('removeEventListener', win.removeEventListener.bind(win))
  vi.stubGlobal('document', doc)
  return { win, doc }
}

describe('pageLifecycle (the default)', () => {
  it('reads pagehide and freeze as freeze, pageshow and resume as resume', () => {
    const { win, doc } = stubPage()
    const signals: PageSignal[] = []
    const unsubscribe = pageLifecycle.subscribe((signal) => signals.push(signal))
    win.dispatchEvent(new Event('pagehide'))
    win.dispatchEvent(new Event('pageshow'))
    doc.dispatchEvent(new Event('freeze'))
    doc.dispatchEvent(new Event('resume'))
    expect(signals).toEqual(['freeze', 'resume', 'freeze', 'resume'])
    unsubscribe()
    for (const type of ['pagehide', 'pageshow']) win.dispatchEvent(new Event(type))
    for (const type of ['freeze', 'resume']) doc.dispatchEvent(new Event(type))
    expect(signals).toHaveLength(4)
  })

  it('listens to nothing outside a page: in Node, or in a worker with no document', () => {
    expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined')
    pageLifecycle.subscribe(() => {})()
    const addEventListener = vi.fn()
    vi.stubGlobal('addEventListener', addEventListener)
    pageLifecycle.subscribe(() => {})()
    expect(addEventListener).not.toHaveBeenCalled()
  })
})
