// A row of labelled figures (label above, value below), wrapping on a phone;
// each value is reachable by its label (aria-label) for tests and readers.

import type { ReactNode } from "react";
import { Figure, FigureRow } from "../../components/Figure";

export function Figures({ items, testId }: { items: [string, ReactNode, string?][]; testId?: string }) {
  return (
    <FigureRow testId={testId}>
      {items.map(([label, value, note]) => (
        <Figure key={label} label={label} value={value} note={note} />
      ))}
    </FigureRow>
  );
}
