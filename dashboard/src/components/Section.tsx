// A titled panel: the building block of every view. A panel whose content
// is wider than the screen scrolls sideways and, then only, takes keyboard
// focus so it can be scrolled without a mouse.

import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import { useEffect, useRef, useState, type ReactNode } from "react";

/** Whether the element's content is wider than its box, kept current. */
function useOverflows<T extends HTMLElement>(): [React.RefObject<T | null>, boolean] {
  const ref = useRef<T | null>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const measure = () => setOverflows(element.scrollWidth > element.clientWidth + 1);
    // The box resizes with the window; the content grows when a view's
    // own state adds rows or columns deep inside.
    const resized = new ResizeObserver(measure);
    resized.observe(element);
    const changed = new MutationObserver(measure);
    changed.observe(element, { childList: true, subtree: true, characterData: true });
    measure();
    return () => {
      resized.disconnect();
      changed.disconnect();
    };
  }, []);
  return [ref, overflows];
}

export function Section({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const [ref, overflows] = useOverflows<HTMLElement>();
  return (
    <Paper
      ref={ref}
      component="section"
      aria-labelledby={id}
      tabIndex={overflows ? 0 : undefined}
      sx={{ p: 2, mb: 2, overflowX: "auto" }}
    >
      <div style={{ display: "flex", alignItems: "center", gap: 8, marginBottom: 8 }}>
        <Typography id={id} variant="h6" component="h2" sx={{ flexGrow: 1, fontSize: 16 }}>
          {title}
        </Typography>
        {action}
      </div>
      {children}
    </Paper>
  );
}
