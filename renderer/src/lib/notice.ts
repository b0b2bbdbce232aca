/**
 * A message for a live region. The id changes with every message, so the same text shown
 * twice is still a new node and screen readers announce it again.
 */
export interface Notice {
  id: number;
  text: string;
}

let lastId = 0;

export function createNotice(text: string): Notice {
  lastId += 1;
  return { id: lastId, text };
}
