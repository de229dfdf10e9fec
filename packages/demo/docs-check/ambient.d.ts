// What a documentation block may use without importing or declaring it. Blocks show one
// idea each; these stand for the app around them. Everything else a block uses it must
// import, or declare in a hidden `<!-- ts … -->` comment right above its fence
// (see docs/README.md, "Code in these pages").

/** A client, as `createClient` returns it. */
declare const client: import('@lifeline/core').Client
/** A hub, as `createHub` returns it. */
declare const hub: import('@lifeline/server').Hub
/** The app's Node HTTP server. */
declare const server: import('node:http').Server
/** The stream's URL and the transports, for blocks about other options. */
declare const url: string
declare const transports: import('@lifeline/core').Transport[]
/** The app's own functions. */
declare function getToken(): Promise<string>
declare function refreshToken(): Promise<string>
declare function render(value: unknown): void
declare function refetchEverything(): void
declare function log(...values: unknown[]): void
declare function streamFor(req: import('node:http').IncomingMessage): string

/** Deno's server, as `Deno.serve` declares it (the runtime is not installed here). */
declare const Deno: {
  serve(
    handler: (
      request: Request,
      info: { remoteAddr: { hostname: string; port: number } },
    ) => Response | Promise<Response>,
  ): unknown
}

// Express, Fastify, Hono and React are installed (dev dependencies of examples/ and
// packages/react): blocks are checked against their real types. React Native is not.
declare module 'react-native' {
  export const AppState: {
    addEventListener(type: 'change', listener: (state: string) => void): { remove(): void }
  }
}
