import { describe, expect, it } from "vitest";
import { frames } from "./fixtures";
import { candleFrame, detectionFrame, fillFrame } from "./frames";

const of = (topic: string) => frames.filter((f) => f.topic === topic).map((f) => f.data);

describe("stream frames", () => {
  it("reads real candles, detections and fills frames", () => {
    const candle = candleFrame(of("candles")[0]);
    expect(candle?.event.symbol).toBe("BTCUSDT");
    expect(candle?.event.candle.close).toBe("38858");
    const detections = of("detections").map(detectionFrame);
    expect(detections.map((d) => d?.event.kind)).toEqual(["swing_high", "ob"]);
    const fill = fillFrame(of("fills")[0]);
    expect(fill).toMatchObject({ side: "sell", price: "38919.1", session: "s7b3403b3241fecc9" });
  });

  it("ignores frames of another shape", () => {
    expect(candleFrame({ session: "s", event: { type: "fill" } })).toBeNull();
    expect(detectionFrame({ session: "s", symbol: "X", event: { kind: "ob" } })).toBeNull();
    expect(fillFrame(null)).toBeNull();
    expect(candleFrame(of("detections")[0])).toBeNull();
  });
});
