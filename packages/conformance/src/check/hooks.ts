import { spawn } from 'node:child_process'

/** How much of a hook's output a failure message quotes. */
const OUTPUT_TAIL = 2_000

/**
 * Runs a hook (`--publish`, `--restart`) through the shell and resolves once it exited 0.
 * Rejects with its exit code and the tail of its output, or when it runs past `timeoutMs`
 * (then its process group is killed). Its output is kept out of the report.
 */
export function runHook(command: string, what: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // A group of its own, so a timeout ends what the shell started too.
    const child = spawn(command, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // The group is gone already: nothing left to end.
      }
      reject(new Error(`the ${what} command ran past ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`the ${what} command did not start: ${error.message}`))
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) return resolve()
      const how = code === null ? `was killed by ${signal}` : `exited with ${code}`
      const tail = output.trim() === '' ? '' : `: ${output.trim()}`
      reject(new Error(`the ${what} command ${how}${tail}`))
    })
  })
}
