import { describe, expect, it } from "vitest";
import type { TickMarkType, UTCTimestamp } from "lightweight-charts";
import { tickMarkLabel } from "./tickMarks";

// What lightweight-charts' default formatter writes for each tick mark type.
const library: Intl.DateTimeFormatOptions[] = [
  { timeZone: "UTC", year: "numeric" },
  { timeZone: "UTC", month: "short" },
  { timeZone: "UTC", day: "numeric" },
  { timeZone: "UTC", hour12: false, hour: "2-digit", minute: "2-digit" },
  { timeZone: "UTC", hour12: false, hour: "2-digit", minute: "2-digit", second: "2-digit" },
];

describe("tickMarkLabel", () => {
  it("writes what the library's default writes, for every type and a few locales", () => {
    const times = [0, 1_328_054_460, 1_700_000_007, 1_735_689_600] as UTCTimestamp[];
    for (const locale of ["en-US", "en-GB", "de-DE", "ja-JP"]) {
      library.forEach((options, type) => {
        for (const t of times) {
          const label = tickMarkLabel(t, type as TickMarkType, locale);
          expect(label).toBe(new Date(t * 1000).toLocaleString(locale, options));
        }
      });
    }
    expect(tickMarkLabel(1_328_054_460 as UTCTimestamp, 3 as TickMarkType, "en-GB")).toBe("00:01");
  });

  it("leaves business days and unknown types to the library", () => {
    expect(tickMarkLabel("2024-01-02", 2 as TickMarkType, "en-US")).toBeNull();
    expect(tickMarkLabel(0 as UTCTimestamp, 9 as TickMarkType, "en-US")).toBeNull();
  });
});
