// @ts-check

/** What the simulated model answers, whatever the prompt: long enough to reload mid-answer. */
const ANSWER =
  'Server-Sent Events keep one HTTP response open and push each token as it is made. ' +
  'When the network drops, Lifeline reconnects and resumes after the last token it saw, ' +
  'so the answer goes on where it stopped. After a reload, from start replays the answer ' +
  'so far from its first token, then the rest as the model writes it.'

/**
 * The tokens of the simulated model's answer to `prompt`, in order: words with their
 * trailing space, as a model's tokenizer would cut them.
 *
 * @param {string} prompt
 * @returns {string[]}
 */
export function answerTokens(prompt) {
  const text = prompt.trim() === '' ? ANSWER : `${prompt.trim()}? ${ANSWER}`
  return text.match(/\S+\s*/g) ?? []
}

/**
 * A simulated model: yields the answer's tokens one every `delayMs`, as a real model's
 * streaming API would, until the answer is complete or `signal` aborts.
 *
 * @param {string} prompt
 * @param {{ delayMs: number, signal: AbortSignal }} options
 * @returns {AsyncGenerator<string>}
 */
export async function* simulatedModel(prompt, { delayMs, signal }) {
  for (const token of answerTokens(prompt)) {
    if (signal.aborted) return
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    if (signal.aborted) return
    yield token
  }
}
