// vla-harness view: arranges, filters and sorts what data.js holds. Every number was computed in Python by the
// harness's results/ code; nothing here computes a rate or an interval. No network: no fetch, no CDN.
"use strict";
(function () {
  const D = window.VIEW_DATA;
  const ROW_H = 26;
  const MULTI = D.runs.length > 1;

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined) continue;
      e.append(kid instanceof Node ? kid : String(kid));
    }
    return e;
  }
  const show = (v) => (v === null || v === undefined || v === "" ? "-" : String(v));

  // ---- episodes: columnar access -------------------------------------------------------------------------------
  const EP = D.episodes;
  const COLS = EP.cols;
  // A text column's code of row i: its codes, or (without them) one value for all rows or one value per row.
  const codeOf = (c, i) => (c.c ? c.c[i] : c.d.length === 1 ? 0 : i);
  function get(name, i) {
    const c = COLS[name];
    return Array.isArray(c) ? c[i] : c.d[codeOf(c, i)];
  }
  const levelText = (v) => (v === null || v === undefined ? "n/a" : String(v));

  // ---- a virtualized table: only the rows in view are in the DOM --------------------------------------------------
  function VTable(host, cols, onPick) {
    this.cols = cols;
    this.rows = new Int32Array(0);
    this.sortCol = null;
    this.sortDir = 1;
    this.onPick = onPick;
    this.scroller = el("div", { class: "scroller" });
    const colgroup = el("colgroup", {}, cols.map((c) => el("col", { style: `width:${c.width}px` })));
    const heads = cols.map((c, j) =>
      el("th", { title: "sort", onclick: () => this.sortBy(j) }, c.title));
    this.headRow = el("tr", {}, heads);
    this.body = el("tbody");
    this.table = el("table", { class: "vtable" }, colgroup, el("thead", {}, this.headRow), this.body);
    this.scroller.append(this.table);
    host.append(this.scroller);
    this.scroller.addEventListener("scroll", () => {
      if (!this.pending) {
        this.pending = true;
        requestAnimationFrame(() => { this.pending = false; this.render(); });
      }
    });
  }
  VTable.prototype.setRows = function (rows) {
    this.rows = rows;
    if (this.sortCol !== null) this.applySort();
    this.scroller.scrollTop = 0;
    this.render();
  };
  VTable.prototype.sortBy = function (j) {
    this.sortDir = this.sortCol === j ? -this.sortDir : 1;
    this.sortCol = j;
    [...this.headRow.children].forEach((th, k) => {
      th.className = k === j ? `sorted ${this.sortDir > 0 ? "asc" : "desc"}` : "";
    });
    this.applySort();
    this.render();
  };
  VTable.prototype.applySort = function () {
    const key = this.cols[this.sortCol].sort;
    const dir = this.sortDir;
    const pairs = Array.from(this.rows, (i) => [key(i), i]);  // each key computed once
    pairs.sort(([x, a], [y, b]) => {
      if (x === y) return a - b;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * dir;
    });
    this.rows = Int32Array.from(pairs, (p) => p[1]);
  };
  VTable.prototype.render = function () {
    const view = this.scroller.clientHeight || 30 * ROW_H;
    const top = this.scroller.scrollTop;
    const start = Math.max(0, Math.floor(top / ROW_H) - 5);
    const end = Math.min(this.rows.length, start + Math.ceil(view / ROW_H) + 10);
    const frag = document.createDocumentFragment();
    frag.append(el("tr", { class: "spacer", style: `height:${start * ROW_H}px` }));
    for (let r = start; r < end; r++) {
      const i = this.rows[r];
      const tr = el("tr", { class: "row", "data-i": i, onclick: () => this.onPick && this.onPick(i) },
        this.cols.map((c) => {
          const td = el("td", { class: c.cls ? c.cls(i) : null }, show(c.text(i)));
          td.title = td.textContent;
          return td;
        }));
      frag.append(tr);
    }
    frag.append(el("tr", { class: "spacer", style: `height:${(this.rows.length - end) * ROW_H}px` }));
    this.body.replaceChildren(frag);
  };

  // ---- overview ---------------------------------------------------------------------------------------------------
  function dl(pairs) {
    return el("dl", {}, pairs.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v instanceof Node ? v : show(v))]));
  }
  function errorsList(errors) {
    if (!errors.length) return "none";
    return el("ul", { class: "errors" }, errors.map((e) =>
      el("li", {}, el("b", {}, e.n), ` ${e.kind}`, e.blame ? el("span", { class: "blame" }, ` (${e.blame})`) : null)));
  }
  function runCard(run, i) {
    const pk = Object.entries(run.packages).map(([k, v]) => `${k} ${v}`).join(", ");
    const status = el("span", { class: `status status-${run.status.replace(/\W+/g, "_")}` }, run.status);
    return el("div", { class: "card" },
      el("h2", {}, MULTI ? `run ${i}: ${run.label}` : run.label),
      dl([
        ["run", run.run_id], ["path", run.path], ["benchmark", run.bench],
        ["suites / tasks", `${show(run.suites && run.suites.join(", "))} / ${show(run.tasks && run.tasks.join(", "))}`],
        ["policy", run.policy], ["policy version", run.policy_version], ["identity", run.identity],
        ["protocol", `${show(run.protocol_name)} (hash ${run.protocol_hash})`], ["max steps", run.max_steps],
        ["seed", run.seed], ["status", status],
        ["episodes", `${show(run.planned)} planned, ${run.recorded} recorded (${run.finished} finished, ` +
          `${run.attempts} attempts stored)`],
        ["errors by kind", errorsList(run.errors)],
      ]),
      el("details", {}, el("summary", {}, "provenance: harness, packages, machine, options"), dl([
        ["harness", `${show(run.harness_version)} (git ${show(run.git)})`], ["created", run.created_at],
        ["packages", pk || "-"], ["machine", Object.entries(run.machine).map(([k, v]) => `${k} ${v}`).join(", ")],
        ["benchmark options", JSON.stringify(run.bench_options)], ["policy options", JSON.stringify(run.policy_options)],
      ])));
  }
  function buildOverview(sec) {
    sec.append(el("div", { class: "cards" }, D.runs.map(runCard)));
    const summary = D.tables.filter((t) => /^success_by_suite|^robustness_.*_dimension$/.test(t.name));
    summary.forEach((t) => sec.append(tableEl(t, false)));
  }

  // ---- tables (the report's, cell texts from Python) --------------------------------------------------------------
  function valueCell(v) {
    const td = el("td", { class: "v" });
    if (v.r !== null && v.r !== undefined) td.append(el("div", { class: "bar", style: `width:${100 * v.r}%` }));
    td.append(el("b", {}, v.s));
    if (v.ci) td.append(" ", el("span", { class: "ci" }, v.ci));
    if (v.n !== undefined) td.append(" ", el("span", { class: "n" }, `n=${v.n}`));
    if (v.f && v.f !== "0") td.append(" ", el("span", { class: "err" }, `policy faults ${v.f}`));
    if (v.e && v.e !== "0") td.append(" ", el("span", { class: "err" }, `err ${v.e}`));
    return td;
  }
  function tableEl(t, anchor = true) {
    const head = el("tr", {}, [...t.index, ...t.columns, ...t.tail].map((h) => el("th", {}, h)));
    const rows = t.rows.map((r) => el("tr", { class: r.rule ? "rule" : null },
      r.labels.map((l) => el("td", { class: "label" }, l)), r.values.map(valueCell),
      r.tail.map((l) => el("td", { class: "label" }, l))));
    return el("div", { class: "report-table", id: anchor ? `t-${t.name}` : null },
      el("h3", {}, t.title),
      el("table", { class: "stats" }, el("thead", {}, head), el("tbody", {}, rows)),
      t.notes.map((n) => el("p", { class: "note" }, n)));
  }
  function buildTables(sec) {
    sec.append(el("ul", { class: "toc" }, D.tables.map((t) =>
      el("li", {}, el("a", { href: `#t-${t.name}`, onclick: (ev) => { ev.preventDefault();
        document.getElementById(`t-${t.name}`).scrollIntoView(); } }, t.title)))));
    D.tables.forEach((t) => sec.append(tableEl(t)));
  }
  function buildPlots(sec) {
    if (!D.plots.length) sec.append(el("p", {}, "No plots were written (view --no-plots)."));
    D.plots.forEach((p) => sec.append(el("figure", {}, el("img", { src: p.src, alt: p.title, loading: "lazy" }),
      el("figcaption", {}, p.title))));
  }

  // ---- episodes: filters, sort, detail with video -----------------------------------------------------------------
  const outcomeClass = (i) => `o-${get("outcome", i) === "success" ? "ok" : get("outcome", i) === "failure" ?
    "fail" : get("outcome", i) === "skipped" ? "skip" : "error"}`;
  const taskText = (i) => `${get("task_id", i)}: ${get("task", i)}`;
  const outcomeText = (i) => get("outcome", i) + (get("error_blame", i) ? ` (${get("error_blame", i)})` : "");
  function episodeCols() {
    const num = (name) => (i) => get(name, i);
    const cols = [
      { title: "suite", width: 120, text: num("suite"), sort: num("suite") },
      { title: "task", width: 210, text: taskText, sort: (i) => get("suite", i) + "/" + String(get("task_id", i)).padStart(6, "0") },
      { title: "dimension", width: 95, text: num("dimension"), sort: num("dimension") },
      { title: "level", width: 50, text: (i) => levelText(get("level", i)), sort: num("level") },
      { title: "trial", width: 45, text: num("trial"), sort: num("trial") },
      { title: "outcome", width: 130, text: outcomeText, sort: num("outcome"), cls: outcomeClass },
      { title: "steps", width: 55, text: num("steps"), sort: num("steps") },
      { title: "wall s", width: 60, text: num("wall_s"), sort: num("wall_s") },
      { title: "sim / render / policy / other s", width: 190,
        text: (i) => ["sim_s", "render_s", "policy_s", "overhead_s"].map((k) => get(k, i)).join(" / "), sort: num("sim_s") },
      { title: "instruction", width: 300, text: num("instruction"), sort: num("instruction") },
      { title: "video", width: 50, text: (i) => (get("video", i) ? "▶" : ""), sort: (i) => (get("video", i) ? 0 : 1) },
      { title: "episode key", width: 320, text: num("key"), sort: num("key") },
    ];
    if (MULTI) cols.unshift({ title: "run", width: 40, text: num("run"), sort: num("run") });
    return cols;
  }
  const FILTERS = [["run", "run"], ["bench", "bench"], ["suite", "suite"], ["task", "task"],
    ["dimension", "dimension"], ["level", "level / difficulty"], ["outcome", "outcome"], ["error_kind", "error kind"]];
  function distinct(name) {
    const c = COLS[name];
    if (!Array.isArray(c)) return c.d.map((v, code) => [code, v === null ? "(none)" : String(v)]);
    const seen = [...new Set(c)].sort((a, b) => (a === null) - (b === null) || a - b);
    return seen.map((v) => [v, name === "level" ? levelText(v) : String(v)]);
  }
  function matcher(name, value) {
    const c = COLS[name];
    if (Array.isArray(c)) { const want = value === "null" ? null : Number(value); return (i) => c[i] === want; }
    const code = Number(value);
    return (i) => codeOf(c, i) === code;
  }
  function searcher(text) {
    const q = text.trim().toLowerCase();
    if (!q) return null;
    const ins = COLS.instruction, hit = ins.d.map((s) => String(s).toLowerCase().includes(q));
    const keys = COLS.key.d.map((k) => String(k).toLowerCase());
    return (i) => hit[codeOf(ins, i)] || keys[codeOf(COLS.key, i)].includes(q);
  }
  function detail(box, i) {
    const video = get("video", i);
    box.replaceChildren(el("h3", {}, get("key", i)), dl([
      ["run", MULTI ? `${get("run", i)}: ${D.runs[get("run", i)].label}` : D.runs[0].label],
      ["task", taskText(i)], ["instruction", get("instruction", i)], ["outcome", outcomeText(i)],
      ["error", get("error", i)], ["perturbation", `${get("dimension", i)} ${levelText(get("level", i))} ${show(get("variant", i))}`],
      ["trial / seed", `${get("trial", i)} / ${get("seed", i)}`], ["steps", get("steps", i)],
      ["time split (s)", `wall ${get("wall_s", i)} = sim ${get("sim_s", i)} + render ${get("render_s", i)} + policy ` +
        `${get("policy_s", i)} + other ${get("overhead_s", i)}`], ["attempts stored", get("attempts", i)],
    ]), video ? el("video", { src: video, controls: true, preload: "metadata", class: "episode-video" }) :
      el("p", { class: "note" }, "No video for this episode (eval --video failures|all records them)."));
  }
  // Filters from the address, e.g. index.html?outcome=failure&dimension=camera&q=bowl#episodes (shareable views);
  // ?episode=KEY opens one episode's details (and its video).
  function fromQuery(bar, state, search) {
    const params = new URLSearchParams(location.search);
    bar.querySelectorAll("select[data-filter]").forEach((sel) => {
      const want = params.get(sel.dataset.filter);
      const opt = want === null ? null : [...sel.options].slice(1).find((o) => o.dataset.label === want);
      if (opt) { sel.value = opt.value; state[sel.dataset.filter] = opt.value; }
    });
    if (params.get("q")) search.value = params.get("q");
  }
  function buildEpisodes(sec) {
    const bar = el("div", { class: "filters" });
    const count = el("span", { class: "count" });
    const state = {};
    const search = el("input", { type: "search", placeholder: "search instruction or key", oninput: () => apply() });
    FILTERS.forEach(([name, title]) => {
      const opts = distinct(name);
      if (opts.length < 2 && name !== "outcome") return;
      const sel = el("select", { "data-filter": name, onchange: () => { state[name] = sel.value; apply(); } },
        el("option", { value: "" }, `${title}: all`),
        opts.map(([v, t]) => el("option", { value: v === null ? "null" : v, "data-label": t }, `${title}: ${t}`)));
      bar.append(sel);
    });
    bar.append(search, count);
    fromQuery(bar, state, search);
    const box = el("div", { class: "detail" }, el("p", { class: "note" }, "Click an episode for its details and video."));
    const host = el("div");
    sec.append(bar, host, box);
    const table = new VTable(host, episodeCols(), (i) => detail(box, i));
    const wanted = new URLSearchParams(location.search).get("episode");  // ?episode=KEY opens that episode
    for (let i = 0; wanted && i < EP.n; i++) if (get("key", i) === wanted) { detail(box, i); break; }
    function apply() {
      const tests = Object.entries(state).filter(([, v]) => v !== "").map(([k, v]) => matcher(k, v));
      const s = searcher(search.value);
      if (s) tests.push(s);
      const out = new Int32Array(EP.n);
      let m = 0;
      for (let i = 0; i < EP.n; i++) if (tests.every((t) => t(i))) out[m++] = i;
      table.setRows(out.subarray(0, m));
      count.textContent = `${m} of ${EP.n} episodes`;
    }
    apply();
    return { apply, state, search, table };
  }

  // ---- side by side (two or more runs) -----------------------------------------------------------------------------
  function verdictEl(c) {
    const cls = c.refused || c.incomplete || c.cannot_judge ? "refused" : c.regression ? "regression" : "ok";
    const pairs = c.pairs ? el("table", { class: "pairs" },
      el("tr", {}, el("th", {}, ""), el("th", {}, `${c.candidate} success`), el("th", {}, `${c.candidate} failure`)),
      el("tr", {}, el("th", {}, `${c.baseline} success`), el("td", {}, c.pairs.both), el("td", { class: "o-fail" }, c.pairs.only_baseline)),
      el("tr", {}, el("th", {}, `${c.baseline} failure`), el("td", { class: "o-ok" }, c.pairs.only_candidate), el("td", {}, c.pairs.neither))) : null;
    return el("div", { class: "card compare" }, el("h2", {}, `${c.baseline} → ${c.candidate}`),
      el("p", { class: `verdict ${cls}` }, c.refused ? `not compared: ${c.refused}` : c.verdict), pairs,
      c.text ? el("pre", {}, c.text) : null);
  }
  function buildCompare(sec) {
    sec.append(el("div", { class: "cards" }, D.compare.map(verdictEl)));
    const S = D.side;
    const flipped = S.flip.reduce((n, f) => n + (f ? 1 : 0), 0);
    const cell = (k, r) => { const i = S.rows[k][r]; return i < 0 ? "-" : outcomeText(i); };
    const cls = (k, r) => { const i = S.rows[k][r]; return i < 0 ? null : outcomeClass(i); };
    const first = (k) => S.rows[k].find((i) => i >= 0);
    const cols = [
      { title: "episode key", width: 330, text: (k) => get("key", first(k)), sort: (k) => k },
      { title: "task", width: 200, text: (k) => taskText(first(k)), sort: (k) => get("task", first(k)) },
      { title: "flip vs run 0", width: 90, text: (k) => S.flip[k], sort: (k) => S.flip[k] || null,
        cls: (k) => (S.flip[k] ? `flip-${S.flip[k]}` : null) },
      ...D.runs.map((run, r) => ({ title: `run ${r}: ${run.label}`, width: 150, text: (k) => cell(k, r),
        sort: (k) => cell(k, r), cls: (k) => cls(k, r) })),
    ];
    const only = el("select", { onchange: () => apply() }, el("option", { value: "flipped" }, `flipped only (${flipped})`),
      el("option", { value: "lost" }, "lost only"), el("option", { value: "gained" }, "gained only"),
      el("option", { value: "" }, `all episodes (${S.rows.length})`));
    const count = el("span", { class: "count" });
    const box = el("div", { class: "detail" });
    const search = el("input", { type: "search", placeholder: "search key or instruction", oninput: () => apply() });
    sec.append(el("h2", {}, "Episodes side by side"), el("div", { class: "filters" }, only, search, count));
    const host = el("div");
    sec.append(host, box);
    const table = new VTable(host, cols, (k) => detail(box, first(k)));
    function apply() {
      const want = only.value;
      const match = searcher(search.value);
      const out = [];
      for (let k = 0; k < S.rows.length; k++)
        if ((!want || (want === "flipped" ? S.flip[k] : S.flip[k] === want)) && (!match || match(first(k)))) out.push(k);
      table.setRows(Int32Array.from(out));
      count.textContent = `${out.length} of ${S.rows.length} episode keys`;
    }
    apply();
  }

  // ---- tabs and start -------------------------------------------------------------------------------------------------
  const TABS = [["overview", "Overview", buildOverview], ["tables", "Tables", buildTables], ["plots", "Plots", buildPlots],
    ["episodes", `Episodes (${EP.n})`, buildEpisodes]];
  if (MULTI) TABS.push(["compare", "Side by side", buildCompare]);
  function select(id) {
    if (!TABS.some(([t]) => t === id)) id = "overview";
    TABS.forEach(([t]) => {
      document.getElementById(`sec-${t}`).hidden = t !== id;
      document.querySelector(`#tabs a[data-tab="${t}"]`).classList.toggle("active", t === id);
    });
    window.dispatchEvent(new Event("scroll"));
    document.querySelectorAll(`#sec-${id} .scroller`).forEach((s) => s.dispatchEvent(new Event("scroll")));
  }
  const t0 = performance.now();
  const built = {};
  const nav = document.getElementById("tabs");
  TABS.forEach(([id, title, build]) => {
    nav.append(el("a", { href: `#${id}`, "data-tab": id }, title));
    built[id] = build(document.getElementById(`sec-${id}`));
  });
  if (!MULTI) document.getElementById("sec-compare").remove();
  document.title = `vla-harness view: ${D.runs.map((r) => r.label).join(" vs ")}`;
  window.addEventListener("hashchange", () => select(location.hash.slice(1).split("?")[0]));
  select(location.hash.slice(1).split("?")[0]);
  document.body.dataset.buildMs = (performance.now() - t0).toFixed(1);
  document.body.dataset.readyMs = performance.now().toFixed(1);
  if (new URLSearchParams(location.search).has("timing")) timeFilters(built.episodes);

  // Filter timings for scripts/bench_view.py (?timing): each filter applied once, the slowest reported.
  function timeFilters(ep) {
    const times = [];
    const run = (what, f) => { const t = performance.now(); f(); ep.apply(); times.push([performance.now() - t, what]); };
    for (const [name] of FILTERS) {
      const sel = document.querySelector(`select[data-filter="${name}"]`);
      if (!sel || sel.options.length < 2) continue;
      run(`${name} set`, () => { ep.state[name] = sel.options[1].value; });
      run(`${name} cleared`, () => { ep.state[name] = ""; });
    }
    run("search", () => { ep.search.value = "task"; });
    run("search cleared", () => { ep.search.value = ""; });
    const t = performance.now();
    ep.table.sortBy(7);
    times.push([performance.now() - t, "sort"]);
    const slowest = times.reduce((a, b) => (b[0] > a[0] ? b : a));
    document.body.dataset.filterMaxMs = slowest[0].toFixed(1);
    document.body.dataset.filterSlowest = slowest[1];
    document.body.dataset.filterCount = times.length;
  }
})();
