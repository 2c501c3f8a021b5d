// <penalty-fee-preview>: a dependency-free web component that shows a booking's cancellation
// fees from the penalty service's UI JSON (POST /v1/preview): "free until", what cancelling now
// costs, the schedule, and the fee chart (the same endpoint with Accept: image/svg+xml).
//
//   <script type="module" src="https://fees.example/widget/penalty-fee-preview.js"></script>
//   <penalty-fee-preview locale="vi" tz="Asia/Ho_Chi_Minh">
//     <script type="application/json">{"policy": [...], "booking": {...}}</script>
//   </penalty-fee-preview>
//
// or from script: element.request = {policy, booking, format, zone, at}. Attributes: locale (en,
// vi, vi_VN ...), tz (the viewer's zone; default: the browser's), at (ISO 8601; default: now),
// endpoint (default: /v1/preview beside this script). Every figure shown is the service's text:
// the widget formats nothing and computes nothing itself.

const WORDS = {
  en: {
    region: "Cancellation fees",
    free: "Free cancellation",
    noFree: "No free cancellation: a fee applies from the start.",
    now: "If you cancel now",
    schedule: "Cancellation fee schedule",
    when: "When",
    fee: "Fee",
    share: "Share of the total",
    yourTime: "your time",
    chart: "Fee chart",
    loading: "Loading the cancellation fees…",
    failed: "The cancellation fees could not be loaded",
    warnings: "Notes",
  },
  vi: {
    region: "Phí hủy phòng",
    free: "Hủy miễn phí",
    noFree: "Không được hủy miễn phí: có phí ngay từ đầu.",
    now: "Nếu hủy bây giờ",
    schedule: "Biểu phí hủy phòng",
    when: "Thời gian",
    fee: "Phí",
    share: "Tỷ lệ trên tổng",
    yourTime: "giờ của bạn",
    chart: "Biểu đồ phí hủy",
    loading: "Đang tải phí hủy…",
    failed: "Không tải được phí hủy",
    warnings: "Lưu ý",
  },
};

const STYLE = `
:host { display: block; container-type: inline-size; font: 16px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #212121; }
* { box-sizing: border-box; }
section { border: 1px solid #e0e0e0; border-radius: 8px; padding: 16px; background: #fff; }
h2 { font-size: 1.15rem; margin: 0 0 12px; overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 16px 0 8px; }
p { margin: 0 0 8px; overflow-wrap: anywhere; }
.callouts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-bottom: 8px; }
.callout { border-radius: 6px; padding: 10px 12px; }
.callout strong { display: block; font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; }
.free { background: #e8f5e9; border-left: 4px solid #2e7d32; }
.free.none { background: #fbe9e7; border-left-color: #c62828; }
.now { background: #e3f2fd; border-left: 4px solid #1565c0; }
table { width: 100%; border-collapse: collapse; }
caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
th, td { text-align: left; padding: 8px; border-bottom: 1px solid #eeeeee; vertical-align: top; }
th { font-size: .85rem; color: #555; }
td.fee { white-space: nowrap; font-weight: 600; }
tr[data-kind="free"] td.fee { color: #2e7d32; }
tr[data-kind="partial"] td.fee { color: #b34700; }
tr[data-kind="full"] td.fee { color: #c62828; }
tbody tr:focus { outline: 3px solid #1565c0; outline-offset: -3px; }
tbody tr.current { background: #f5f9ff; }
small { display: block; color: #555; }
figure { margin: 16px 0 0; }
figure .chart svg { display: block; width: 100%; height: auto; }
figure .chart:focus { outline: 3px solid #1565c0; outline-offset: 2px; }
figcaption { font-size: .85rem; color: #555; margin-top: 6px; overflow-wrap: anywhere; }
.steps-highlight g.step.highlight line { stroke-width: 8; }
[role="alert"] { color: #b71c1c; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@container (max-width: 560px) {
  section { padding: 12px; }
  .callouts { grid-template-columns: 1fr; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table, caption, tbody, tr, td { display: block; width: 100%; }
  tr { border-bottom: 1px solid #eeeeee; padding: 6px 0; }
  td { border: 0; padding: 2px 4px; }
  td.share:empty { display: none; }
}
`;

function language(locale) {
  const base = String(locale || "en").toLowerCase().split(/[-_]/)[0];
  return base in WORDS ? base : "en";
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export class PenaltyFeePreview extends HTMLElement {
  static observedAttributes = ["locale", "tz", "at", "endpoint"];

  #request = null;
  #data = null;
  #chartWidth = 0;
  #generation = 0;
  #resizeTimer = 0;
  #observer = null;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  get request() {
    return this.#request;
  }

  set request(value) {
    this.#request = value;
    this.#load();
  }

  /** The last UI JSON shown (read-only), or null. */
  get data() {
    return this.#data;
  }

  connectedCallback() {
    if (this.#request === null) {
      const inline = this.querySelector('script[type="application/json"]');
      if (inline) {
        try {
          this.#request = JSON.parse(inline.textContent);
        } catch (error) {
          this.#fail(`${WORDS[language(this.locale)].failed}: ${error.message}`);
          return;
        }
      }
    }
    this.#observer = new ResizeObserver(() => this.#resized());
    this.#observer.observe(this);
    this.#load();
  }

  disconnectedCallback() {
    this.#observer?.disconnect();
  }

  attributeChangedCallback(_name, previous, current) {
    if (previous !== current && this.isConnected) this.#load();
  }

  get locale() {
    return this.getAttribute("locale") || "en";
  }

  get endpoint() {
    return this.getAttribute("endpoint") || new URL("../v1/preview", import.meta.url).href;
  }

  #body(extra = {}) {
    const tz = this.getAttribute("tz") || Intl.DateTimeFormat().resolvedOptions().timeZone;
    const body = { ...this.#request, locale: this.locale, ...extra };
    if (tz && !("tz" in this.#request)) body.tz = tz;
    const at = this.getAttribute("at");
    if (at) body.at = at;
    return body;
  }

  async #post(body, accept) {
    const response = await fetch(this.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: accept },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      let detail = `HTTP ${response.status}`;
      try {
        const problem = await response.json();
        detail = problem.path ? `${problem.path}: ${problem.detail}` : problem.detail;
      } catch (_) {
        // not problem+json: the status says enough
      }
      throw new Error(detail);
    }
    return accept === "application/json" ? response.json() : response.text();
  }

  #width() {
    const width = Math.floor(this.shadowRoot.querySelector("figure")?.clientWidth || this.clientWidth || 960);
    return Math.max(280, Math.min(1920, width));
  }

  async #load() {
    if (!this.#request) return;
    const generation = ++this.#generation;
    const words = WORDS[language(this.locale)];
    if (!this.#data) this.#status(words.loading);
    this.setAttribute("aria-busy", "true");
    try {
      const data = await this.#post(this.#body(), "application/json");
      if (generation !== this.#generation) return;
      this.#data = data;
      this.#render(data, words);
      await this.#chart(generation);
    } catch (error) {
      if (generation === this.#generation) this.#fail(`${words.failed}: ${error.message}`);
    } finally {
      if (generation === this.#generation) {
        this.removeAttribute("aria-busy");
        this.dispatchEvent(new CustomEvent("penalty-rendered", { detail: this.#data }));
      }
    }
  }

  async #chart(generation) {
    const width = this.#width();
    const svg = await this.#post(this.#body({ width }), "image/svg+xml");
    if (generation !== this.#generation) return;
    const parsed = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
    const holder = this.shadowRoot.querySelector(".chart");
    if (!holder || parsed.nodeName !== "svg") return;
    parsed.querySelectorAll("script, foreignObject").forEach((node) => node.remove());
    holder.replaceChildren(document.importNode(parsed, true));
    this.#chartWidth = width;
  }

  #resized() {
    clearTimeout(this.#resizeTimer);
    this.#resizeTimer = setTimeout(() => {
      if (this.#data && Math.abs(this.#width() - this.#chartWidth) >= 24) {
        const generation = this.#generation;
        this.#chart(generation).catch(() => {});
      }
    }, 150);
  }

  #status(text) {
    this.shadowRoot.replaceChildren(
      element("style", {}, STYLE),
      element("section", { "aria-label": WORDS[language(this.locale)].region }, element("p", { role: "status" }, text)),
    );
  }

  #fail(text) {
    this.#data = null;
    this.shadowRoot.replaceChildren(
      element("style", {}, STYLE),
      element("section", { "aria-label": WORDS[language(this.locale)].region }, element("p", { role: "alert" }, text)),
    );
  }

  #render(data, words) {
    const first = data.lines[0];
    const free = first && first.kind === "free"
      ? element("div", { class: "callout free", "data-part": "free-until" },
          element("strong", {}, words.free), element("p", {}, first.text))
      : element("div", { class: "callout free none", "data-part": "free-until" },
          element("strong", {}, words.free), element("p", {}, words.noFree));
    const now = data.now
      ? element("div", { class: "callout now", role: "status", "aria-live": "polite", "data-part": "now" },
          element("strong", {}, words.now), element("p", {}, data.now.text))
      : null;
    const rows = data.lines.map((line, index) => {
      const row = element(
        "tr",
        { "data-kind": line.kind, "data-fee": line.fee, tabindex: "0", class: data.now && data.now.line === index ? "current" : null,
          "aria-current": data.now && data.now.line === index ? "true" : null },
        element("td", { class: "period" }, line.period_text,
          line.viewer_period_text ? element("small", {}, `${words.yourTime}: ${line.viewer_period_text}`) : null,
          line.descriptions.length ? element("small", {}, line.descriptions.join(" · ")) : null),
        element("td", { class: "fee" }, line.fee_text),
        element("td", { class: "share" }, line.share_text || ""),
      );
      row.addEventListener("focus", () => this.#highlight(index, true));
      row.addEventListener("blur", () => this.#highlight(index, false));
      row.addEventListener("keydown", (event) => this.#move(event, index));
      return row;
    });
    const table = element("table", { "data-part": "schedule" },
      element("caption", {}, words.schedule),
      element("thead", {}, element("tr", {},
        element("th", { scope: "col" }, words.when),
        element("th", { scope: "col" }, words.fee),
        element("th", { scope: "col" }, words.share))),
      element("tbody", {}, ...rows));
    const figure = element("figure", { "data-part": "chart" },
      element("div", { class: "chart", tabindex: "0", role: "group", "aria-label": `${words.chart}: ${data.summary}` }),
      element("figcaption", {}, data.summary));
    const warnings = data.warnings.length
      ? element("div", { "data-part": "warnings" }, element("h3", {}, words.warnings),
          element("ul", {}, ...data.warnings.map((warning) => element("li", {}, warning.message))))
      : null;
    const heading = element("h2", { id: "heading" }, data.heading);
    const section = element("section", { "aria-labelledby": "heading", lang: language(data.locale) },
      heading, element("div", { class: "callouts" }, free, now), table, figure, warnings);
    this.shadowRoot.replaceChildren(element("style", {}, STYLE), section);
  }

  #highlight(index, on) {
    const steps = this.shadowRoot.querySelectorAll(".chart g.step");
    const holder = this.shadowRoot.querySelector(".chart");
    holder?.classList.toggle("steps-highlight", on);
    steps[index]?.classList.toggle("highlight", on);
  }

  #move(event, index) {
    const rows = this.shadowRoot.querySelectorAll("tbody tr");
    const target = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: rows.length - 1 }[event.key];
    if (target !== undefined && rows[target]) {
      event.preventDefault();
      rows[target].focus();
    }
  }
}

if (!customElements.get("penalty-fee-preview")) {
  customElements.define("penalty-fee-preview", PenaltyFeePreview);
}
