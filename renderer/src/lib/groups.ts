/** Splits "Sales-EMEA, Finance" (commas or new lines) into distinct group names. */
export function parseGroups(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((g) => g.trim())
        .filter(Boolean),
    ),
  ];
}
