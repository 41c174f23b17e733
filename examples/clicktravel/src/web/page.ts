/** A trip as the page lists it (inventory's answer). */
export interface TripSummary {
  id: string;
  origin: string;
  destination: string;
  departs: string;
  price: number;
  seatsLeft: number;
}

/** What the page shows; `popular` is null when analytics could not answer (the page is then degraded). */
export interface PageModel {
  to: string;
  trips: TripSummary[];
  popular: { destination: string; events: number }[] | null;
  instance: string;
  zone: string;
}

/**
 * The ClickTravel home page: a search form, the trips found, the popular
 * destinations (or a note that they are unavailable, when analytics is
 * down), and a small script that books a trip and lists the user's
 * bookings through the JSON API.
 *
 * @example
 * const html = renderPage({ to: "Rome", trips, popular: null, instance: "web-a-0", zone: "us-central1-a" });
 */
export function renderPage(model: PageModel): string {
  const rows = model.trips
    .map(
      (t) => `<tr><td>${escapeHtml(t.origin)} &rarr; ${escapeHtml(t.destination)}</td><td>${escapeHtml(t.departs)}</td>
      <td>$${t.price}</td><td>${t.seatsLeft}</td>
      <td><button data-trip="${escapeHtml(t.id)}" ${t.seatsLeft === 0 ? "disabled" : ""}>Book</button></td></tr>`,
    )
    .join("\n");
  const popular =
    model.popular === null
      ? `<p class="degraded" id="popular-unavailable">Popular destinations are unavailable right now.</p>`
      : `<ol id="popular">${model.popular.map((p) => `<li>${escapeHtml(p.destination)} (${p.events})</li>`).join("")}</ol>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ClickTravel</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; color: #222; }
  table { border-collapse: collapse; width: 100%; } td, th { padding: .3rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
  .degraded { color: #8a5a00; } footer { margin-top: 2rem; color: #888; font-size: .8rem; }
</style>
</head>
<body>
<h1>ClickTravel</h1>
<form method="get" action="/">
  <label>Destination <input name="to" value="${escapeHtml(model.to)}"></label>
  <label>You <input id="user" name="user" value="alice"></label>
  <button>Search</button>
</form>
<h2>Trips</h2>
<table><thead><tr><th>Route</th><th>Departs</th><th>Price</th><th>Seats left</th><th></th></tr></thead>
<tbody>
${rows || `<tr><td colspan="5">No trip found.</td></tr>`}
</tbody></table>
<h2>Popular destinations</h2>
${popular}
<h2>My bookings</h2>
<ul id="bookings"></ul>
<footer>served by ${escapeHtml(model.instance)} in ${escapeHtml(model.zone)}</footer>
<script>
const user = () => document.getElementById("user").value;
async function refresh() {
  const answer = await fetch("/api/bookings?user=" + encodeURIComponent(user()));
  const list = document.getElementById("bookings");
  if (!answer.ok) { list.textContent = "Bookings are unavailable right now."; return; }
  const { bookings } = await answer.json();
  list.replaceChildren(...bookings.map((b) => {
    const item = document.createElement("li");
    item.textContent = b.tripId + " x" + b.seats + " ($" + b.price + ") " + b.status + " ";
    if (b.status === "confirmed") {
      const cancel = document.createElement("button");
      cancel.textContent = "Cancel";
      cancel.onclick = async () => {
        await fetch("/api/bookings/" + b.id + "?user=" + encodeURIComponent(user()), { method: "DELETE" });
        refresh();
      };
      item.append(cancel);
    }
    return item;
  }));
}
for (const button of document.querySelectorAll("button[data-trip]")) {
  button.onclick = async () => {
    // One request id per booking, reused by every retry of it: the booking happens once.
    const requestId = crypto.randomUUID();
    const body = JSON.stringify({ requestId, user: user(), tripId: button.dataset.trip, seats: 1 });
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await fetch("/api/bookings", { method: "POST", headers: { "content-type": "application/json" }, body });
      if (answer.status < 500) break;
      await new Promise((r) => setTimeout(r, Math.random() * 500 * 2 ** attempt));
    }
    refresh();
  };
}
refresh();
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
