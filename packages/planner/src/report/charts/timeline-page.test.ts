import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderTimelinePage } from "./timeline-page.js";

const page = () =>
  renderTimelinePage({
    title: "Shop <zone-loss>",
    subtitle: "seed 7",
    summary: [["checkout availability", "99.1% & more"]],
    tables: [{ title: "Downtime", columns: ["cause", "min/year"], rows: [["zone-outage", "12.5"]] }],
    panels: [
      {
        title: "Goodput",
        unit: "requests/s",
        series: [
          {
            label: "with the guard",
            points: [
              [0, 10],
              [1, 12],
              [2, null],
            ],
          },
          {
            label: "without",
            points: [
              [1, 3],
              [3, 0],
            ],
          },
        ],
        marks: [{ at: 1, label: "zone lost" }],
        note: "the lines part at 1 s",
      },
    ],
  });

/** The JSON the page embeds for its charts. */
function dataOf(html: string) {
  const match = /<script type="application\/json" id="nines-timeline-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match);
  return JSON.parse(match[1] as string);
}

describe("renderTimelinePage", () => {
  it("inlines uPlot and loads nothing from elsewhere", () => {
    const html = page();
    assert.match(html, /<script>.*uPlot/s);
    assert.match(html, /\.uplot/);
    // The only address in the page is the library's licence comment.
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|url\(/);
    assert.deepEqual(html.match(/https?:\/\/[^\s)"']+/g), ["https://github.com/leeoniya/uPlot"]);
  });

  it("merges the x values of a panel's series, with gaps where a series has no point", () => {
    const [panel] = dataOf(page());
    assert.deepEqual(panel.x, [0, 1, 2, 3]);
    assert.deepEqual(panel.y, [
      [10, 12, null, null],
      [null, 3, null, 0],
    ]);
    assert.deepEqual(panel.marks, [{ at: 1, label: "zone lost" }]);
    assert.equal(panel.xLabel, "time (s)");
    assert.equal(panel.unit, "requests/s");
  });

  it("escapes text, and keeps the embedded data from closing its script element", () => {
    const html = renderTimelinePage({
      title: "a <b> & c",
      panels: [
        { title: "</script><script>alert(1)</script>", unit: "x", series: [{ label: "</script>", points: [[0, 1]] }] },
      ],
    });
    assert.match(html, /<title>a &lt;b&gt; &amp; c<\/title>/);
    assert.doesNotMatch(html, /<script>alert/);
    assert.equal(dataOf(html)[0].series[0].label, "</script>");
    assert.match(page(), /<td>99\.1% &amp; more<\/td>/);
  });
});
