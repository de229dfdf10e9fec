import type { XMLHttpRequestConstructor, XMLHttpRequestLike } from '../src/options'

type Handler = ((this: never, ev: never) => unknown) | null

/**
 * A scripted `XMLHttpRequest` for unit tests: the test plays the server (`respond`, `push`,
 * `end`, `fail`) and reads what the adapter sent. Each instance joins the list of the
 * {@link fakeXhr} that made its class, so tests share no state.
 */
export class FakeXhr implements XMLHttpRequestLike {
  readyState = 0
  status = 0
  withCredentials = false
  onreadystatechange: Handler = null
  onprogress: Handler = null
  onerror: Handler = null
  ontimeout: Handler = null

  method = ''
  url = ''
  body: XMLHttpRequestBodyInit | null | undefined
  headers = new Map<string, string>()
  mimeOverride: string | undefined
  aborted = false
  private text = ''
  private responseHeaders = new Map<string, string>()

  constructor(instances: FakeXhr[]) {
    instances.push(this)
  }

  get responseText(): string {
    return this.text
  }

  open(method: string, url: string) {
    this.method = method
    this.url = url
    this.readyState = 1
  }

  setRequestHeader(name: string, value: string) {
    this.headers.set(name.toLowerCase(), value)
  }

  overrideMimeType(mime: string) {
    this.mimeOverride = mime
  }

  getResponseHeader(name: string): string | null {
    return this.responseHeaders.get(name.toLowerCase()) ?? null
  }

  send(body?: XMLHttpRequestBodyInit | null) {
    this.body = body
  }

  abort() {
    this.aborted = true
    this.readyState = 4
    this.status = 0
    this.fire('onreadystatechange')
  }

  /** The server answers with a status and headers (readyState 2). */
  respond(status: number, headers: Record<string, string> = {}) {
    this.status = status
    for (const [name, value] of Object.entries(headers))
      this.responseHeaders.set(name.toLowerCase(), value)
    this.readyState = 2
    this.fire('onreadystatechange')
  }

  /** More body arrived (readyState 3, then a progress event). */
  push(text: string) {
    this.text += text
    this.readyState = 3
    this.fire('onreadystatechange')
    this.fire('onprogress')
  }

  /** The server ended the response (readyState 4). */
  end() {
    this.readyState = 4
    this.fire('onreadystatechange')
  }

  /** A network error: readyState 4 with status 0, then `error`. */
  fail() {
    this.status = 0
    this.text = ''
    this.readyState = 4
    this.fire('onreadystatechange')
    this.fire('onerror')
  }

  private fire(name: 'onreadystatechange' | 'onprogress' | 'onerror') {
    const handler = this[name] as (() => unknown) | null
    handler?.call(undefined)
  }
}

/** A fresh `XMLHttpRequest` class for one test, and the requests it made. */
export interface FakeXhrs {
  readonly XMLHttpRequest: XMLHttpRequestConstructor
  readonly instances: FakeXhr[]
  /** The newest request; throws when there is none. */
  last(): FakeXhr
}

/**
 * A class of fake requests of its own, for one test.
 *
 * @example
 * ```ts
 * const xhrs = fakeXhr()
 * sseXhr({ XMLHttpRequest: xhrs.XMLHttpRequest }).open(request, sink)
 * xhrs.last().respond(200, { 'content-type': 'text/event-stream' })
 * ```
 */
export function fakeXhr(Base: typeof FakeXhr = FakeXhr): FakeXhrs {
  const instances: FakeXhr[] = []
  return {
    XMLHttpRequest: class extends Base {
      constructor() {
        super(instances)
      }
    },
    instances,
    last() {
      const xhr = instances.at(-1)
      if (xhr === undefined) throw new Error('no XMLHttpRequest was created')
      return xhr
    },
  }
}
