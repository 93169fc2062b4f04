/* carecap workbench: the page's script. Talks to the JSON API of
 * `carecap serve` (docs/workbench.md). Every text from the server is put
 * into the page as text (textContent), never as HTML. */
'use strict';

(function () {
  const token = new URLSearchParams(location.search).get('token') || '';
  const $ = (id) => document.getElementById(id);
  const state = { baselines: [], scenarios: [], last: null, runId: null, abort: null, charts: {}, view: 'region' };

  const TYPES = ['foster', 'kinship', 'residential', 'semi_independent', 'secure', 'adoption', 'with_parents', 'other'];
  const TYPE_NAME = {
    foster: 'Foster care', kinship: 'Kinship care', residential: 'Residential', semi_independent: 'Semi-independent',
    secure: 'Secure', adoption: 'Placed for adoption', with_parents: 'Placed with parents', other: 'Other'
  };
  const KPI_NAME = {
    kinship: 'Children in kinship care (%)', external_foster: 'Foster placements with external agencies (%)',
    resi_against_plan: 'In residential care against their plan (%)',
    family_based_12_15: 'Children aged 12-15 in family-based care (%)',
    outside_d2n2: 'Placed outside D2N2 (%)'
  };
  const COLOURS = ['#1d70b8', '#d4351c', '#00703c', '#f47738', '#4c2c92'];

  function headers(json) {
    const h = {};
    if (json) h['Content-Type'] = 'application/json';
    if (token) h['Authorization'] = 'Bearer ' + token;
    return h;
  }
  function withToken(url) {
    return token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url;
  }
  async function api(path, body) {
    const opt = body === undefined ? { headers: headers(false) }
      : { method: 'POST', headers: headers(true), body: JSON.stringify(body) };
    const r = await fetch(path, opt);
    const t = await r.text();
    let j = null;
    try { j = JSON.parse(t); } catch (e) { /* not JSON */ }
    if (!r.ok) throw new ApiError(j && j.errors ? j.errors : ['The server answered ' + r.status + '.']);
    return j;
  }
  function ApiError(list) { this.list = list; }

  function setStatus(text) { $('status').textContent = text; }
  /* The form control a message of `check` is about (levers[N].KEY of the
   * scenario the page sent), or null. */
  function fieldOf(m) {
    const x = /levers\[(\d+)\]\.([a-z_]+)/.exec(m);
    const sent = state.sentLevers || [];
    if (!x || !sent[+x[1]]) return null;
    const lever = sent[+x[1]].lever, key = x[2];
    return $(lever + '-' + key) || $(key);
  }
  function showErrors(list) {
    const ul = $('error-list');
    ul.textContent = '';
    for (const m of list) {
      const li = document.createElement('li');
      const f = fieldOf(m);
      if (f && f.labels && f.labels.length) {
        /* a link to the field, in words, above check's own message */
        const a = document.createElement('a');
        a.href = '#' + f.id;
        const where = f.closest('fieldset') ? f.closest('fieldset').querySelector('legend').textContent + ': ' : '';
        a.textContent = 'Check ' + where + f.labels[0].textContent;
        a.className = 'error-link';
        a.addEventListener('click', (ev) => {
          ev.preventDefault();
          const d = f.closest('details');
          if (d) d.open = true;
          f.focus();
        });
        const code = document.createElement('span');
        code.className = 'error-detail';
        code.textContent = m;
        li.append(a, code);
      } else li.textContent = m;
      ul.appendChild(li);
    }
    $('errors').hidden = list.length === 0;
    if (list.length) $('errors').focus();
  }
  function fail(e) {
    if (e instanceof ApiError) showErrors(e.list);
    else showErrors(['Something went wrong: ' + (e && e.message ? e.message : e)]);
    setStatus('');
  }

  /* ---- numbers ---- */
  const fmt0 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  const fmt1 = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  function num(v) { return v === null || v === undefined ? '' : Math.abs(v) < 100 ? fmt1.format(v) : fmt0.format(v); }
  function money(v) { return v === null || v === undefined ? '' : (v < 0 ? '-£' : '£') + fmt1.format(Math.abs(v) / 1e6) + 'm'; }
  function signed(v, f) { const s = f(v); return v > 0 ? '+' + s : s; }
  function monthName(d) {
    const m = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    return m[parseInt(d.slice(5, 7), 10) - 1] + ' ' + d.slice(0, 4);
  }
  function fy(d) { const y = parseInt(d.slice(0, 4), 10); return (y - 1) + '-' + String(y).slice(2); }

  /* rows: [scenario, date, metric, group, mean, sd, p05, p25, p50, p75, p95 (, share_better)] */
  function rows(list, scen, metric, group) {
    return list.filter((r) => r[0] === scen && r[2] === metric && r[3] === group);
  }
  function last(list, scen, metric, group) { const r = rows(list, scen, metric, group); return r.length ? r[r.length - 1] : null; }

  /* ---- tables ---- */
  function table(id, head, body, numeric) {
    const t = $(id);
    const cap = t.querySelector('caption');
    t.textContent = '';
    if (cap) t.appendChild(cap);
    const thead = document.createElement('thead');
    const tr = document.createElement('tr');
    head.forEach((h, i) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      if (numeric && i > 0) th.className = 'num';
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    t.appendChild(thead);
    const tb = document.createElement('tbody');
    for (const r of body) {
      const row = document.createElement('tr');
      r.forEach((c, i) => {
        const td = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) td.scope = 'row';
        if (c && typeof c === 'object') { td.textContent = c.text; if (c.cls) td.className = c.cls; }
        else td.textContent = c;
        if (numeric && i > 0) td.className = (td.className + ' num').trim();
        row.appendChild(td);
      });
      tb.appendChild(row);
    }
    t.appendChild(tb);
  }

  /* ---- charts (Chart.js, served by carecap from Debian's libjs-chart.js) ---- */
  function chart(id, config) {
    if (typeof Chart === 'undefined') return;
    if (state.charts[id]) state.charts[id].destroy();
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    state.charts[id] = new Chart($(id), config);
  }
  function band(label, series, colour, f) {
    const x = series.map((r) => r[1]);
    return {
      labels: x,
      sets: [
        { label: label + ': 95th percentile', data: series.map((r) => r[10]), borderColor: 'transparent', backgroundColor: colour + '33', pointRadius: 0, fill: false },
        { label: label + ': 5th percentile', data: series.map((r) => r[6]), borderColor: 'transparent', backgroundColor: colour + '33', pointRadius: 0, fill: '-1' },
        { label: label + ': average', data: series.map((r) => r[4]), borderColor: colour, backgroundColor: colour, pointRadius: 0, borderWidth: 2, fill: false }
      ],
      f: f
    };
  }
  function lineOptions(yTitle) {
    return {
      plugins: { legend: { labels: { filter: (item) => !item.text.includes('percentile') } } },
      scales: { x: { ticks: { maxTicksLimit: 12, callback: function (v) { return monthName(this.getLabelForValue(v)); } } },
                y: { title: { display: true, text: yTitle } } }
    };
  }
  function yearly(series) { return series.filter((r, i) => i % 12 === 0 || i === series.length - 1); }

  /* ---- the baseline ---- */
  function drawBaseline(res) {
    $('baseline-results').hidden = false;
    const m = res.monthly, a = res.annual;
    const inCare = rows(m, 'baseline', 'looked_after', 'all');
    const first = inCare[0], end = inCare[inCare.length - 1];
    const spend = rows(a, 'baseline', 'spend', 'total').filter((r) => r[4] !== null);
    const head = [['Children in care at ' + monthName(first[1]), num(first[4]), ''],
      ['Children in care at ' + monthName(end[1]), num(end[4]), num(end[6]) + ' to ' + num(end[10])]];
    for (const t of ['foster', 'residential']) {
      const g = last(m, 'baseline', 'gap', t);
      if (g) head.push(['Capacity gap, ' + TYPE_NAME[t].toLowerCase() + ', ' + monthName(g[1]), num(g[4]), num(g[6]) + ' to ' + num(g[10])]);
    }
    if (spend.length) {
      const s = spend[spend.length - 1];
      head.push(['Spend in ' + fy(s[1]), money(s[4]), money(s[6]) + ' to ' + money(s[10])]);
    }
    table('headline', ['Measure', 'Average', 'Range (5th to 95th percentile)'], head, true);

    const sel = $('gap-type');
    const have = TYPES.filter((t) => rows(m, 'baseline', 'gap', t).length);
    if (!sel.options.length) {
      for (const t of have) { const o = document.createElement('option'); o.value = t; o.textContent = TYPE_NAME[t] || t; sel.appendChild(o); }
      sel.value = have.includes('foster') ? 'foster' : have[0];
    }
    drawGap(res);

    const mix = TYPES.map((t) => last(m, 'baseline', 'placed', t)).filter((r) => r);
    chart('mix-chart', { type: 'bar',
      data: { labels: mix.map((r) => TYPE_NAME[r[3]] || r[3]), datasets: [{ label: 'Children placed (average)', data: mix.map((r) => r[4]), backgroundColor: '#1d70b8' }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { title: { display: true, text: 'Children' } } } } });
    table('mix-table', ['Placement type', 'Average', '5th to 95th'], mix.map((r) => [TYPE_NAME[r[3]] || r[3], num(r[4]), num(r[6]) + ' to ' + num(r[10])]), true);

    const kpis = Object.keys(KPI_NAME).map((k) => last(m, 'baseline', 'kpi_pct', k)).filter((r) => r);
    table('kpi-table', ['Indicator', 'Start', 'End (average)', 'End (5th to 95th)'], kpis.length ? kpis.map((r) => {
      const f = rows(m, 'baseline', 'kpi_pct', r[3])[0];
      return [KPI_NAME[r[3]], num(f[4]), num(r[4]), num(r[6]) + ' to ' + num(r[10])];
    }) : [['Percentages are not added up over a region\'s councils: choose a council above to see its indicators.', '', '', '']], true);

    if (!spend.length) {
      if (state.charts['spend-chart']) { state.charts['spend-chart'].destroy(); delete state.charts['spend-chart']; }
      table('spend-table', ['Year', 'Average', '5th to 95th'], [['Spend is priced council by council: choose a council above to see its spend.', '', '']], true);
    }
    if (spend.length) {
      const b = band('Total spend', spend, '#1d70b8');
      chart('spend-chart', { type: 'line', data: { labels: spend.map((r) => fy(r[1])), datasets: b.sets },
        options: { plugins: { legend: { labels: { filter: (item) => !item.text.includes('percentile') } } },
          scales: { y: { title: { display: true, text: '£ a year' }, ticks: { callback: (v) => money(v) } } } } });
      table('spend-table', ['Year', 'Average', '5th to 95th'], spend.map((r) => [fy(r[1]), money(r[4]), money(r[6]) + ' to ' + money(r[10])]), true);
    }
  }

  function drawGap(res) {
    const t = $('gap-type').value;
    const series = rows(res.monthly, 'baseline', 'gap', t);
    const sets = band('Baseline', series, '#1d70b8').sets;
    res.scenarios.slice(1).forEach((s, i) => {
      sets.push({ label: s.name + ': average', data: rows(res.monthly, s.name, 'gap', t).map((r) => r[4]), borderColor: COLOURS[(i + 1) % 5], backgroundColor: COLOURS[(i + 1) % 5], pointRadius: 0, borderWidth: 2, borderDash: [6, 3], fill: false });
    });
    chart('gap-chart', { type: 'line', data: { labels: series.map((r) => r[1]), datasets: sets }, options: lineOptions('Children (need minus places)') });
    table('gap-table', ['Date', 'Average', '5th to 95th'], yearly(series).map((r) => [monthName(r[1]), num(r[4]), num(r[6]) + ' to ' + num(r[10])]), true);
  }

  /* ---- the back-test: published figures against the 90% band ---- */
  /* rows: [measure, label, year, published, mean, p05, p95, inside (1, 0 or null)] */
  function pctOf(a, b) { return b ? Math.round(100 * a / b) : 0; }
  function drawBacktest(res) {
    state.bt = res;
    $('bt-results').hidden = false;
    const on = res.on, off = res.off;
    const p = pctOf(on.inside, on.compared), q = pctOf(off.inside, off.compared);
    const verdict = p >= 85 ? 'about as often as an honest 90% band should (9 in 10)'
      : p >= 70 ? 'less often than an honest 90% band should (9 in 10): read the model\'s ranges as somewhat too narrow'
        : 'much less often than an honest 90% band should (9 in 10): the model\'s ranges are too narrow for these years';
    const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    const day = parseInt(res.start.slice(8, 10), 10) + ' ' + months[parseInt(res.start.slice(5, 7), 10) - 1] + ' ' + res.start.slice(0, 4);
    $('bt-sentence').textContent = 'Started from ' + day + ', the model\'s 90% band held the published figure in ' +
      on.inside + ' of ' + on.compared + ' measure-years (' + p + '%) for the ' + res.years_compared + ', ' + verdict +
      '. Without the uncertainty of its rates the bands held ' + off.inside + ' (' + q + '%)' +
      (q < p ? ', so that uncertainty is needed.' : '.');
    table('bt-coverage', ['Run', 'Inside the band', 'Share', 'Mean error (% of the published figure)'], [
      ['With the uncertainty of the rates (the model\'s bands)', on.inside + ' of ' + on.compared, p + '%', (/error ([0-9.]+%)/.exec(on.score) || ['', ''])[1]],
      ['Without it', off.inside + ' of ' + off.compared, q + '%', (/error ([0-9.]+%)/.exec(off.score) || ['', ''])[1]]], true);
    const inside = (v) => v === 1 ? { text: 'Yes', cls: 'better' } : v === 0 ? { text: 'No', cls: 'worse' } : 'Not compared';
    table('bt-table', ['Measure', 'Year to 31 March', 'Published', 'Model average', 'Model\'s 90% band', 'Inside?'],
      on.rows.map((r) => [r[1], String(r[2]), r[3] === null ? 'Not published' : num(r[3]), r[4] === null ? 'Not modelled' : num(r[4]),
        r[5] === null ? '' : num(r[5]) + ' to ' + num(r[6]), inside(r[7])]), false);
    const ul = $('bt-notes');
    ul.textContent = '';
    for (const n of res.notes) { const li = document.createElement('li'); li.textContent = n; ul.appendChild(li); }
    const sel = $('bt-measure');
    sel.textContent = '';
    const seen = {};
    for (const r of on.rows) if (!seen[r[0]] && r[4] !== null) { seen[r[0]] = 1; option(sel, r[0], r[1]); }
    drawBacktestChart();
    setStatus('Done: the back-test of ' + res.council + ', ' + res.reps + ' replications, twice.');
    $('h-backtest').tabIndex = -1;
    $('h-backtest').focus();
  }
  function drawBacktestChart() {
    const res = state.bt;
    if (!res) return;
    const m = $('bt-measure').value;
    const rs = res.on.rows.filter((r) => r[0] === m);
    const labels = rs.map((r) => 'Year to March ' + r[2]);
    chart('bt-chart', { type: 'line', data: { labels: labels, datasets: [
      { label: 'Model: 95th percentile', data: rs.map((r) => r[6]), borderColor: 'transparent', backgroundColor: '#1d70b833', pointRadius: 0, fill: false },
      { label: 'Model: 5th percentile', data: rs.map((r) => r[5]), borderColor: 'transparent', backgroundColor: '#1d70b833', pointRadius: 0, fill: '-1' },
      { label: 'Model: average', data: rs.map((r) => r[4]), borderColor: '#1d70b8', backgroundColor: '#1d70b8', pointRadius: 0, borderWidth: 2, fill: false },
      { label: 'Published', data: rs.map((r) => r[3]), borderColor: '#d4351c', backgroundColor: '#d4351c', showLine: false, pointRadius: 6, pointStyle: 'rectRot' }] },
      options: { plugins: { legend: { labels: { filter: (item) => !item.text.includes('percentile') } } },
        scales: { y: { title: { display: true, text: rs.length ? rs[0][1] : '' } } } } });
    table('bt-measure-table', ['Year to 31 March', 'Published', 'Model: 90% band'], rs.map((r) => [String(r[2]),
      r[3] === null ? 'Not published' : num(r[3]), num(r[5]) + ' to ' + num(r[6])]), true);
  }

  /* ---- a region: its totals or one council's figures ---- */
  function view(res) {
    if (!res.region || state.view === 'region') return res;
    const c = res.councils.find((k) => k.key === state.view);
    return c ? Object.assign({}, res, { monthly: c.monthly, annual: c.annual, comparison: c.comparison, council: c.council, start: c.start }) : res;
  }
  function setupViews(res) {
    for (const f of document.querySelectorAll('.view-field')) f.hidden = !res.region;
    if (!res.region) { state.view = 'region'; return; }
    if (state.view !== 'region' && !res.councils.some((c) => c.key === state.view)) state.view = 'region';
    for (const sel of document.querySelectorAll('.council-view')) {
      sel.textContent = '';
      const o = document.createElement('option');
      o.value = 'region';
      o.textContent = res.council + ': the region (all ' + res.councils.length + ' councils added up)';
      sel.appendChild(o);
      for (const c of res.councils) {
        const x = document.createElement('option');
        x.value = c.key;
        x.textContent = c.council + ' (in the region)';
        sel.appendChild(x);
      }
      sel.value = state.view;
    }
  }
  function drawAll() {
    if (!state.last) return;
    const v = view(state.last);
    drawBaseline(v);
    drawComparison(v);
  }

  /* ---- the comparison ---- */
  const CMP = [
    ['looked_after', 'all', 'Children in care', num],
    ['gap', 'foster', 'Capacity gap, foster care (children)', num],
    ['gap', 'residential', 'Capacity gap, residential (children)', num],
    ['kpi', 'external_foster', 'Children in foster placements with external agencies', num],
    ['kpi', 'resi_against_plan', 'Children in residential care against their plan', num],
    ['placed_outside', 'd2n2', 'Children placed outside D2N2', num],
    ['spend', 'total', 'Spend in the last financial year (£, cash)', money],
    ['spend_cumulative', 'total', 'Spend over the whole run (£, cash)', money]
  ];
  function drawComparison(res) {
    const scen = res.scenarios.slice(1).map((s) => s.name);
    $('s-compare').hidden = scen.length === 0;
    if (!scen.length) return;
    const body = [];
    for (const [metric, group, label, f] of CMP) {
      const row = [label];
      let any = false;
      for (const s of scen) {
        const r = last(res.comparison, s, metric, group);
        if (!r) { row.push(''); continue; }
        any = true;
        const share = r[11];
        if (r[4] === 0 && r[6] === 0 && r[10] === 0) { row.push({ text: 'No change in any future', cls: '' }); continue; }
        let text = signed(r[4], f) + ' (' + f(r[6]) + ' to ' + f(r[10]) + ')';
        if (share !== null && share !== undefined) text += ', better in ' + Math.round(share * 100) + '%';
        row.push({ text: text, cls: share === null || share === undefined ? '' : share >= 0.8 ? 'better' : share <= 0.2 ? 'worse' : '' });
      }
      if (any) body.push(row);
    }
    const endRow = last(res.comparison, scen[0], 'looked_after', 'all');
    table('compare-table', [endRow ? 'Difference at ' + monthName(endRow[1]) : 'Difference'].concat(scen.map((s) => s + ': average (9 in 10 futures), better in')), body, false);
    const sel = $('cmp-metric');
    if (!sel.options.length) {
      CMP.forEach((c, i) => { const o = document.createElement('option'); o.value = String(i); o.textContent = c[2].replace(' in the last financial year', ' by financial year').replace(' over the whole run', ' to date'); sel.appendChild(o); });
      sel.value = '1';
    }
    drawCmpChart(res);
    drawBusiness(res);
  }
  function drawCmpChart(res) {
    const [metric, group, label, f] = CMP[parseInt($('cmp-metric').value, 10)];
    const scen = res.scenarios.slice(1).map((s) => s.name);
    let sets = [], labels = [], tab = [];
    scen.forEach((s, i) => {
      const series = rows(res.comparison, s, metric, group);
      labels = series.map((r) => r[1]);
      sets = sets.concat(band(s, series, COLOURS[(i + 1) % 5]).sets);
    });
    const money_ = f === money;
    chart('cmp-chart', { type: 'line', data: { labels: labels, datasets: sets },
      options: Object.assign(lineOptions(label + ': scenario minus baseline'), money_ ? { scales: { y: { ticks: { callback: (v) => money(v) } } } } : {}) });
    const first = rows(res.comparison, scen[0], metric, group);
    const pick = money_ ? first : yearly(first);
    tab = pick.map((r) => {
      const row = [money_ ? fy(r[1]) : monthName(r[1])];
      for (const s of scen) {
        const x = rows(res.comparison, s, metric, group).find((q) => q[1] === r[1]);
        row.push(x ? signed(x[4], f) + ' (' + f(x[6]) + ' to ' + f(x[10]) + ')' : '');
      }
      return row;
    });
    table('cmp-table', ['Date'].concat(scen), tab, true);
  }

  /* ---- the business case (comparison.csv's rows, docs/finance.md) ---- */
  function pct(v) { return v === null || v === undefined ? '' : Math.round(100 * v) + '%'; }
  function pounds(v) { return v === null || v === undefined ? '' : (v < 0 ? '-£' : '£') + fmt0.format(Math.abs(v)); }
  function sum(list, scen, metric, group) { return rows(list, scen, metric, group).reduce((a, r) => a + (r[4] || 0), 0); }
  function drawBusiness(res) {
    const scen = res.scenarios.slice(1).map((s) => s.name);
    const have = scen.filter((s) => rows(res.comparison, s, 'npv', 'all').length);
    const empty = $('business-empty');
    $('business-results').hidden = have.length === 0;
    empty.hidden = have.length > 0;
    $('business-terms').textContent = '';
    if (!have.length && res.region) {
      empty.textContent = 'No business case for a region: its levers (joint block contracts, recruitment campaigns, a council\'s own scenario) carry no costs in a region scenario. Run one council\'s levers on its own baseline to see what they save.';
      return;
    }
    if (!have.length) {
      empty.textContent = 'No business case: the baseline ' + res.config + ' has no costs section, so the model does not price its placements. Choose a baseline with costs (nottinghamshire has them) to see what a strategy saves.';
      return;
    }
    const b = res.business || {};
    if (b.price_year) {
      $('business-terms').textContent = 'Money in today\'s prices (those of ' + b.price_year + '-' + String(b.price_year + 1).slice(2) +
        '), as HM Treasury\'s Green Book asks: later years are discounted at ' + (100 * b.discount_rate).toFixed(1) +
        '% a year. Savings are placement spend the baseline has and the scenario does not; costs are what you entered under each lever. Each figure is an average of the simulated futures, with the range that holds 9 in 10 of them.';
    }
    const body = [];
    const line = (label, f) => body.push([label].concat(have.map(f)));
    line('What it is worth over the run: savings minus costs in today\'s money (net present value)', (s) => {
      const r = last(res.comparison, s, 'npv', 'all');
      return { text: money(r[4]) + ' (' + money(r[6]) + ' to ' + money(r[10]) + ')', cls: r[6] > 0 ? 'better' : r[10] < 0 ? 'worse' : '' };
    });
    line('Chance it pays for itself within the run', (s) => pct(last(res.comparison, s, 'p_payback', 'all')[4]));
    line('Year it pays for itself (median of the futures)', (s) => {
      const npv = rows(res.comparison, s, 'npv', 'all');
      const r = last(res.comparison, s, 'payback_year', 'all');
      if (!r || r[8] === null) return '';
      const y = Math.round(r[8]);
      return y < npv.length ? fy(npv[y][1]) + ' (year ' + y + ')' : 'Not within the run';
    });
    line('What the levers cost (not discounted)', (s) => pounds(sum(res.comparison, s, 'lever_cost', 'all')));
    line('Savings that can leave the budget (cashable)', (s) => pounds(sum(res.comparison, s, 'savings', 'cashable')));
    line('Savings that avoid future rises only (non-cashable)', (s) => pounds(sum(res.comparison, s, 'savings', 'non_cashable')));
    line('Child-weeks of capacity gap closed', (s) => fmt0.format(sum(res.comparison, s, 'gap_weeks_closed', 'all')));
    line('Net cost per child-week of gap closed (below zero: it saves money as it closes the gap)', (s) => {
      const r = last(res.comparison, s, 'cost_per_gap_week', 'all');
      return r && r[4] !== null ? pounds(r[4]) : 'No gap closed on average';
    });
    table('business-table', ['Measure'].concat(have.map((s) => s + ': average (9 in 10 futures)')), body, false);

    /* cumulative net cost = minus the NPV to date; its band is the NPV's turned over */
    let labels = [];
    const sets = [];
    have.forEach((s, i) => {
      const series = rows(res.comparison, s, 'npv', 'all').map((r) => {
        const q = r.slice();
        q[4] = -r[4]; q[6] = -r[10]; q[10] = -r[6];
        return q;
      });
      labels = series.map((r) => fy(r[1]));
      for (const d of band(s, series, COLOURS[(i + 1) % 5]).sets) sets.push(d);
    });
    chart('netcost-chart', { type: 'line', data: { labels: labels, datasets: sets },
      options: { plugins: { legend: { labels: { filter: (item) => !item.text.includes('percentile') } } },
        scales: { y: { title: { display: true, text: 'Net cost to date (£, today\'s money)' }, ticks: { callback: (v) => money(v) } } } } });
    const first = rows(res.comparison, have[0], 'npv', 'all');
    table('netcost-table', ['Year'].concat(have), first.map((r) => [fy(r[1])].concat(have.map((s) => {
      const x = rows(res.comparison, s, 'npv', 'all').find((q) => q[1] === r[1]);
      return x ? money(-x[4]) + ' (' + money(-x[10]) + ' to ' + money(-x[6]) + ')' : '';
    }))), true);
  }

  function drawDownloads(res) {
    $('s-save').hidden = false;
    const ul = $('downloads');
    ul.textContent = '';
    const what = { 'monthly.csv': 'Monthly figures (CSV)', 'annual.csv': 'Annual figures and spend by financial year (CSV)',
      'comparison.csv': 'Differences from the baseline (CSV)', 'spend.xlsx': res.scenarios.length > 1 ? 'Spend workbook with the business case (Excel)' : 'Spend workbook of the baseline (Excel)',
      'report.html': 'Report with charts (HTML)', 'manifest.txt': 'What was run (text)' };
    if (res.region) {
      what['report.html'] = 'Report: the region and each council, with links to their reports (HTML)';
      what['region/report.html'] = 'Report of the region\'s totals, with charts (HTML)';
      what['spend.xlsx'] = undefined;
      for (const c of res.councils) {
        what['councils/' + c.key + '/report.html'] = 'Report of ' + c.council + ', with charts (HTML)';
        what['councils/' + c.key + '/spend.xlsx'] = 'Spend workbook of ' + c.council + ' (Excel)';
      }
    }
    for (const f of res.files) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      const html = f.endsWith('report.html');
      a.href = withToken('/api/runs/' + res.id + '/files/' + f.split('/').map(encodeURIComponent).join('/') + (html ? '' : '?download=1'));
      a.textContent = what[f] || ('Scenario file ' + f);
      if (!html) a.setAttribute('download', f.split('/').pop());
      else a.target = '_blank';
      a.id = 'dl-' + f.replace(/[^A-Za-z0-9]/g, '-');
      li.appendChild(a);
      ul.appendChild(li);
    }
    $('save').disabled = !res.scenarios.some((s) => s.edited);
  }

  /* ---- what a lever costs (the business case, docs/finance.md) ---- */
  const COST_FIELDS = [
    ['one_off_cost', 'One-off cost (£)', 'Set-up, a campaign\'s launch: paid once, on the start date. 0 to 10,000,000,000.', 1e10],
    ['capital_cost', 'Capital cost (£)', 'Buildings or equipment: paid once, on the start date. 0 to 10,000,000,000.', 1e10],
    ['revenue_cost', 'Running cost (£ a year)', 'Staff, support, marketing: every year from the start date to the end of the run. 0 to 1,000,000,000.', 1e9],
    ['ramp_up_months', 'Months to reach full effect', 'Whole months, 0 to 120; 0 (or empty): full effect from the start date.', 120]
  ];
  function makeCostFields() {
    for (const box of document.querySelectorAll('.lever-costs')) {
      const lever = box.dataset.lever;
      const det = document.createElement('details');
      det.className = 'costs';
      const sum = document.createElement('summary');
      sum.textContent = 'What ' + box.dataset.title + ' costs (optional)';
      det.appendChild(sum);
      for (const [key, label, hint, max] of COST_FIELDS) {
        const id = lever + '-' + key;
        const f = document.createElement('div');
        f.className = 'field';
        const l = document.createElement('label');
        l.htmlFor = id;
        l.textContent = label;
        const h = document.createElement('p');
        h.className = 'hint';
        h.id = id + '-hint';
        h.textContent = hint;
        const i = document.createElement('input');
        i.id = id;
        i.type = 'number';
        i.min = '0';
        i.max = String(max);
        i.step = key === 'ramp_up_months' ? '1' : 'any';
        i.inputMode = key === 'ramp_up_months' ? 'numeric' : 'decimal';
        i.className = key === 'ramp_up_months' ? '' : 'money';
        i.setAttribute('aria-describedby', id + '-hint');
        f.append(l, h, i);
        det.appendChild(f);
      }
      box.appendChild(det);
    }
  }
  /* The costs entered for a lever (numbers as typed; the server checks them
   * as `check` does), and whether any was entered. */
  function leverCosts(lever) {
    const o = {};
    for (const [key] of COST_FIELDS) {
      const e = $(lever + '-' + key);
      const t = e ? e.value.trim() : '';
      if (e && !e.checkValidity() && e.validity.badInput) o[key] = NaN;
      else if (t !== '') o[key] = Number(t);
    }
    return o;
  }
  const LEVER_TITLE = { foster_recruitment: 'Extra foster households', foster_retention: 'Foster carers\' resignations',
    step_down: 'Step-down', edge_of_care: 'Edge of care', kinship_sgo: 'Kinship care and special guardianship' };

  /* ---- running ---- */
  function settings() {
    return { config: $('config').value, reps: Number($('reps').value), years: Number($('years').value), seed: Number($('seed').value) };
  }
  function currentBaseline() { return state.baselines.find((x) => x.name === $('config').value); }
  function editedRegion() {
    const from = $('from').value;
    const v = (id) => $(id).value.trim();
    const levers = [];
    if (v('joint_block-places') !== '' && Number(v('joint_block-places')) !== 0)
      levers.push({ lever: 'joint_block', market: v('joint_block-market'), places: Number(v('joint_block-places')), from: from });
    if (v('recruitment_campaign-extra_places') !== '' && Number(v('recruitment_campaign-extra_places')) !== 0)
      levers.push({ lever: 'recruitment_campaign', market: v('recruitment_campaign-market'), extra_places: Number(v('recruitment_campaign-extra_places')), from: from });
    if (v('council_scenario-scenario') !== '')
      levers.push({ lever: 'council_scenario', council: v('council_scenario-council'), scenario: v('council_scenario-scenario') });
    for (const l of levers) if (l.from === '') delete l.from;
    const s = { name: v('scenario-name'), levers: levers };
    if (v('scenario-description')) s.description = v('scenario-description');
    return s;
  }
  function edited() {
    const cb = currentBaseline();
    if (cb && cb.kind === 'region') return editedRegion();
    const from = $('from').value;
    const levers = [];
    const v = (id) => $(id).value.trim();
    const used = {};
    const add = (o) => { if (from) o.from = from; Object.assign(o, leverCosts(o.lever)); used[o.lever] = 1; levers.push(o); };
    if (v('extra_per_year') !== '' && Number(v('extra_per_year')) !== 0) add({ lever: 'foster_recruitment', extra_per_year: Number(v('extra_per_year')) });
    if (v('resignation_multiplier') !== '' && Number(v('resignation_multiplier')) !== 1) add({ lever: 'foster_retention', resignation_multiplier: Number(v('resignation_multiplier')) });
    if (v('ready_after_months') !== '') add({ lever: 'step_down', ready_after_months: Number(v('ready_after_months')) });
    if (v('entry_multiplier') !== '' && Number(v('entry_multiplier')) !== 1) add({ lever: 'edge_of_care', entry_multiplier: Number(v('entry_multiplier')) });
    const k = v('kinship_multiplier'), g = v('sgo_multiplier');
    if ((k !== '' && Number(k) !== 1) || (g !== '' && Number(g) !== 1)) {
      const o = { lever: 'kinship_sgo' };
      if (k !== '') o.kinship_multiplier = Number(k);
      if (g !== '') o.sgo_multiplier = Number(g);
      add(o);
    }
    /* a cost typed under a lever left at "no change" would be lost: say so */
    const problems = [];
    for (const lever of Object.keys(LEVER_TITLE)) {
      const c = leverCosts(lever);
      if (!used[lever] && Object.keys(c).length)
        problems.push(LEVER_TITLE[lever] + ': its costs are filled in but the lever is at "no change"; set the lever, or empty its costs.');
      for (const k of Object.keys(c))
        if (Number.isNaN(c[k])) problems.push(LEVER_TITLE[lever] + ': ' + COST_FIELDS.find((f) => f[0] === k)[1] + ' is not a number (expected digits only, without £ or commas).');
    }
    if (problems.length) throw new ApiError(problems);
    const s = { name: v('scenario-name'), levers: levers };
    if (v('scenario-description')) s.description = v('scenario-description');
    return s;
  }

  /* Start a run (or, with how.path, a back-test) and follow its progress;
   * how.anchor: the element the progress bar goes under; how.done: what
   * to draw from its results. */
  async function run(scenarios, what, how) {
    how = how || {};
    showErrors([]);
    let body;
    try { body = Object.assign(settings(), how.path ? {} : { scenarios: scenarios() }); } catch (e) { fail(e); return; }
    state.sentLevers = body.scenarios && body.scenarios.length && body.scenarios[0].levers ? body.scenarios[0].levers : [];
    const box = $('progress-box');
    (how.anchor || $('levers-form')).after(box);
    box.hidden = false;
    $('progress').value = 0;
    $('progress-label').textContent = 'Starting ' + what;
    $('run').disabled = $('show-baseline').disabled = $('run-backtest').disabled = true;
    state.abort = new AbortController();
    setStatus('Running ' + what + '.');
    try {
      const r = await fetch(how.path || '/api/runs', { method: 'POST', headers: headers(true), body: JSON.stringify(body), signal: state.abort.signal });
      if (!r.ok) {
        let j = null;
        try { j = await r.json(); } catch (e) { /* not JSON */ }
        throw new ApiError(j && j.errors ? j.errors : ['The server answered ' + r.status + '.']);
      }
      state.runId = r.headers.get('X-Carecap-Run');
      const reader = r.body.getReader();
      const dec = new TextDecoder();
      let buf = '', st = null;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          st = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          const pct = st.total ? Math.round(100 * st.done / st.total) : 0;
          $('progress').value = pct;
          $('progress-label').textContent = st.state === 'queued' ? 'Waiting for ' + st.position + ' other run(s) to finish'
            : st.done >= st.total && st.state === 'running' ? 'Writing the files and the report'
            : 'Running ' + what + ': ' + st.done + ' of ' + st.total + ' replications (' + pct + '%)';
        }
      }
      if (!st || st.state !== 'done') {
        if (st && st.state === 'cancelled') { setStatus('The run was cancelled; nothing was kept.'); return; }
        throw new ApiError(['The run failed: ' + (st ? st.message : 'no answer')]);
      }
      const res = await api('/api/runs/' + st.id + '/results');
      if (how.done) { how.done(res); return; }
      state.last = res;
      setupViews(res);
      drawAll();
      drawDownloads(res);
      setStatus('Done: ' + what + ', ' + res.reps + ' replications of ' + res.years + ' years in ' +
        res.wall_seconds.toFixed(1) + ' seconds.');
      const target = res.scenarios.length > 1 ? $('h-compare') : $('h-baseline');
      target.tabIndex = -1;
      target.focus();
    } catch (e) {
      if (e && e.name === 'AbortError') setStatus('The run was cancelled; nothing was kept.');
      else fail(e);
    } finally {
      box.hidden = true;
      $('run').disabled = $('show-baseline').disabled = $('run-backtest').disabled = false;
      state.abort = null;
    }
  }

  async function cancel() {
    if (state.runId) {
      try { await api('/api/runs/' + state.runId + '/cancel', {}); } catch (e) { /* already over */ }
    }
    if (state.abort) state.abort.abort();
  }

  async function save() {
    showErrors([]);
    try {
      const body = Object.assign(settings(), { scenarios: [edited()] });
      state.sentLevers = body.scenarios[0].levers;
      const a = $('author').value.trim();
      if (a) body.author = a;
      const r = await fetch('/api/scenario-file', { method: 'POST', headers: headers(true), body: JSON.stringify(body) });
      if (!r.ok) {
        let j = null;
        try { j = await r.json(); } catch (e) { /* not JSON */ }
        throw new ApiError(j && j.errors ? j.errors : ['The server answered ' + r.status + '.']);
      }
      const cd = r.headers.get('Content-Disposition') || '';
      const m = /filename="([^"]+)"/.exec(cd);
      const name = m ? m[1] : 'scenario.cfg';
      const blob = await r.blob();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setStatus('Saved the scenario file ' + name + ' (in your downloads).');
    } catch (e) { fail(e); }
  }

  async function calibrate(ev) {
    ev.preventDefault();
    showErrors([]);
    const fd = new FormData();
    fd.append('name', $('cal-name').value.trim());
    fd.append('baseline', $('cal-baseline').value);
    for (const f of $('cal-episodes').files) fd.append('episodes', f, 'episodes.csv');
    for (const f of $('cal-header').files) fd.append('header', f, 'header.csv');
    if ($('cal-districts').files[0]) fd.append('districts', $('cal-districts').files[0], 'districts.csv');
    setStatus('Fitting the new baseline; this can take a minute.');
    $('calibrate').disabled = true;
    try {
      const h = headers(false);
      h['X-Carecap-Upload'] = '1';
      const r = await fetch('/api/calibrate', { method: 'POST', headers: h, body: fd });
      const j = await r.json();
      if (!r.ok) throw new ApiError(j.errors || ['The server answered ' + r.status + '.']);
      const box = $('cal-result');
      box.textContent = '';
      const p = document.createElement('p');
      p.textContent = 'The new baseline ' + j.config + ' is in config/ and chosen in step 1; the uploaded files have been deleted. What calibrate said:';
      box.appendChild(p);
      const ul = document.createElement('ul');
      for (const m of j.messages) { const li = document.createElement('li'); li.textContent = m; ul.appendChild(li); }
      box.appendChild(ul);
      setStatus('Fitted the new baseline ' + j.config + '.');
      await loadLists(j.config);
    } catch (e) { fail(e); } finally { $('calibrate').disabled = false; }
  }

  function firstApril(start) {
    const y = parseInt(start.slice(0, 4), 10), m = parseInt(start.slice(5, 7), 10);
    return (m >= 4 ? y + 1 : y) + '-04-01';
  }
  function option(sel, value, text) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    sel.appendChild(o);
  }
  const MARKET_TYPE = { foster: 'foster agencies\' households', residential: 'children\'s home beds', semi_independent: 'semi-independent places' };
  function marketText(m) {
    return m.name + ': ' + (MARKET_TYPE[m.type] || m.type) + (m.location === 'outside' ? ' beyond the region' : ' in the region') +
      (m.places >= 0 ? ', ' + fmt0.format(m.places) + ' places' : ', unlimited');
  }
  function fillCouncilScenarios() {
    const b = currentBaseline();
    const sel = $('council_scenario-scenario');
    sel.textContent = '';
    option(sel, '', 'None: the council as in its baseline');
    if (!b || b.kind !== 'region') return;
    const c = b.councils.find((k) => k.key === $('council_scenario-council').value);
    for (const s of state.scenarios.filter((x) => c && x.baseline === c.config))
      option(sel, s.file, s.name + (s.description ? ': ' + s.description : ''));
  }
  function setupRegionLevers(b) {
    const region = b && b.kind === 'region';
    $('region-levers').hidden = !region;
    $('council-levers').hidden = region;
    $('costs-hint').hidden = region;
    if (!region) return;
    const jb = $('joint_block-market'), rc = $('recruitment_campaign-market'), cc = $('council_scenario-council');
    jb.textContent = rc.textContent = cc.textContent = '';
    for (const m of b.markets) {
      option(jb, m.name, marketText(m));
      if (m.places >= 0) option(rc, m.name, marketText(m));
    }
    for (const c of b.councils) option(cc, c.key, c.name);
    $('joint_block-places').value = '0';
    $('recruitment_campaign-extra_places').value = '0';
    fillCouncilScenarios();
  }
  function onBaselineChange() {
    const b = state.baselines.find((x) => x.name === $('config').value);
    if (b) $('from').value = firstApril(b.start);
    setupRegionLevers(b);
    $('s-backtest').hidden = !(b && b.backtest);
    $('bt-results').hidden = true;
    state.bt = null;
    if (b && b.backtest) { $('bt-config').textContent = 'config/' + b.backtest.config + '.cfg'; $('bt-la').textContent = b.backtest.la; }
    const box = $('bundled');
    box.textContent = '';
    const mine = state.scenarios.filter((s) => s.baseline === $('config').value);
    $('bundled-fieldset').hidden = mine.length === 0;
    for (const s of mine) {
      const id = 'bundled-' + s.file;
      const label = document.createElement('label');
      const cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.id = id;
      cb.value = s.file;
      label.htmlFor = id;
      label.appendChild(cb);
      label.appendChild(document.createTextNode(s.name + (s.description ? ': ' + s.description : '')));
      box.appendChild(label);
    }
    $('gap-type').textContent = '';
    $('cmp-metric').textContent = '';
  }

  async function loadLists(select) {
    const l = await api('/api/baselines');
    state.baselines = l.baselines;
    state.scenarios = l.scenarios;
    for (const id of ['config', 'cal-baseline']) {
      const sel = $(id);
      const keep = (id === 'config' && select) || sel.value;
      sel.textContent = '';
      const groups = id === 'config' ? [['council', 'Councils'], ['region', 'Regions (councils sharing providers)']] : [['council', '']];
      for (const [kind, title] of groups) {
        const list = l.baselines.filter((b) => (b.kind || 'council') === kind);
        if (!list.length) continue;
        const parent = title ? document.createElement('optgroup') : sel;
        if (title) { parent.label = title; sel.appendChild(parent); }
        for (const b of list) {
          const o = document.createElement('option');
          o.value = b.name;
          o.textContent = kind === 'region' ? b.name + ' (' + b.council + ': ' + b.councils.length + ' councils sharing providers, from ' + b.start + ')'
            : b.name + ' (' + b.council + ', from ' + b.start + ')';
          parent.appendChild(o);
        }
      }
      const councils = l.baselines.filter((b) => (b.kind || 'council') === 'council');
      if (keep && [...sel.options].some((o) => o.value === keep)) sel.value = keep;
      else if (councils.length) {
        /* first time: the council with the latest start (the newest data), not an old back-test's */
        const newest = councils.reduce((a, b) => (b.start > a.start ? b : a));
        sel.value = newest.name;
      }
    }
    if (!l.baselines.length)
      showErrors(['There is no baseline to choose: config/ (in the folder carecap serve was started in) holds no config that loads. Start carecap serve in the folder that holds config/, or fit one from SSDA903 files in step 5.']);
    onBaselineChange();
  }

  async function start() {
    makeCostFields();
    $('baseline-form').addEventListener('submit', (e) => { e.preventDefault(); run(() => [], 'the baseline', { anchor: $('show-baseline') }); });
    $('levers-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const n = document.querySelectorAll('#bundled input:checked').length;
      if (n > 3) { showErrors(['Choose at most 3 saved scenarios to compare with yours (4 in all).']); return; }
      run(() => {
        const list = [edited()];
        for (const cb of document.querySelectorAll('#bundled input:checked')) list.push({ file: cb.value });
        return list;
      }, 'the comparison');
    });
    $('cancel').addEventListener('click', cancel);
    $('run-backtest').addEventListener('click', () => run(() => [], 'the back-test',
      { path: '/api/backtests', anchor: $('run-backtest'), done: drawBacktest }));
    $('bt-measure').addEventListener('change', drawBacktestChart);
    $('save').addEventListener('click', save);
    $('config').addEventListener('change', onBaselineChange);
    $('gap-type').addEventListener('change', () => state.last && drawGap(view(state.last)));
    $('cmp-metric').addEventListener('change', () => state.last && drawCmpChart(view(state.last)));
    for (const sel of document.querySelectorAll('.council-view'))
      sel.addEventListener('change', () => {
        state.view = sel.value;
        for (const o of document.querySelectorAll('.council-view')) o.value = sel.value;
        drawAll();
      });
    $('council_scenario-council').addEventListener('change', fillCouncilScenarios);
    $('calibrate-form').addEventListener('submit', calibrate);
    try {
      const info = await api('/api/info');
      $('version').textContent = info.version;
      $('reps').max = info.max_reps;
      $('years').max = info.max_years;
      await loadLists();
      setStatus('');
    } catch (e) { fail(e); }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
