// The search page: search box with completions, facet panels, results, testimony view. Every bit of
// state lives in the URL (shareable, back button works). Text from the server is inserted as text;
// only the <mark> of a highlight is kept as markup.
'use strict';
(() => {
  const STRINGS = {
    en: {
      title: 'Testimony search', skip: 'Skip to results', searchLabel: 'Search testimonies', search: 'Search',
      placeholder: '수용소, Hoeryong, public execution…',
      hint: 'Places in any spelling (회령, Hoeryŏng, Hoeryeong); Korean or English; "quoted phrase", -exclude, OR.',
      switchTo: '한국어', switchLabel: 'Switch the interface to Korean', filters: 'Filters',
      location: 'Place', year: 'Year', violation: 'Violation', sdg: 'SDG goals', sort: 'Order',
      relevance: 'relevance', byYear: 'year', pages: 'Pages',
      summary: (p, t) => `${p} passage${p === 1 ? '' : 's'} in ${t} testimon${t === 1 ? 'y' : 'ies'}`, took: (ms) => ` (${ms} ms)`,
      start: 'Type a place, a violation or any words, or pick filters.',
      none: 'Nothing found. Try another spelling or fewer filters.',
      failed: (m) => `The search failed: ${m}`,
      prev: 'Previous', next: 'Next', pageOf: (a, b) => `Page ${a} of ${b}`,
      open: 'Open in testimony', copy: 'Copy quote with citation', copied: 'Copied quote with citation',
      copyFailed: 'Could not copy: select the text and copy it by hand', withheld: 'Restricted: text withheld',
      remove: (l) => `Remove filter: ${l}`, clearYears: 'Any year', from: 'From', to: 'To', any: 'any',
      expand: (l) => `Show places in ${l}`, collapse: (l) => `Hide places in ${l}`,
      expandV: (l) => `Show kinds of ${l}`, collapseV: (l) => `Hide kinds of ${l}`,
      yearBar: (y, n) => `${y}: ${n} testimon${n === 1 ? 'y' : 'ies'}`, testimonies: (n) => `${n} testimon${n === 1 ? 'y' : 'ies'}`,
      kinds: { place: 'place', violation: 'violation', term: 'word' },
      back: 'Back to results', paragraph: (n) => `¶${n}`, interview: 'Interview date', access: 'Access',
      interviewee: 'Interviewee', events: 'Coded events', passagesIn: 'Passages',
      Q: 'Question', A: 'Answer', public: 'public', restricted: 'restricted',
      loading: 'Loading…', notFound: 'This testimony was not found.', showAll: (n) => `Show all ${n}`, showFewer: 'Show fewer',
    },
    ko: {
      title: '증언 검색', skip: '검색 결과로 건너뛰기', searchLabel: '증언 검색', search: '검색',
      placeholder: '수용소, 회령, 공개처형…',
      hint: '지명은 어떤 표기로도 (회령, Hoeryŏng, Hoeryeong); 한국어 또는 영어; "구절", -제외, OR.',
      switchTo: 'English', switchLabel: '영어 화면으로 바꾸기', filters: '필터',
      location: '지역', year: '연도', violation: '인권침해 유형', sdg: '지속가능발전목표', sort: '정렬',
      relevance: '관련도순', byYear: '연도순', pages: '페이지',
      summary: (p, t) => `증언 ${t}건, 단락 ${p}개`, took: (ms) => ` (${ms}ms)`,
      start: '지명, 인권침해 유형이나 낱말을 입력하거나 필터를 고르세요.',
      none: '찾은 결과가 없습니다. 다른 표기를 쓰거나 필터를 줄여 보세요.',
      failed: (m) => `검색하지 못했습니다: ${m}`,
      prev: '이전', next: '다음', pageOf: (a, b) => `${b}쪽 중 ${a}쪽`,
      open: '증언 전체에서 보기', copy: '인용문과 출처 복사', copied: '인용문과 출처를 복사했습니다',
      copyFailed: '복사하지 못했습니다. 글을 선택해 직접 복사하세요', withheld: '열람 제한: 본문 비공개',
      remove: (l) => `필터 해제: ${l}`, clearYears: '모든 연도', from: '부터', to: '까지', any: '전체',
      expand: (l) => `${l}의 하위 지역 보기`, collapse: (l) => `${l}의 하위 지역 숨기기`,
      expandV: (l) => `${l}의 세부 유형 보기`, collapseV: (l) => `${l}의 세부 유형 숨기기`,
      yearBar: (y, n) => `${y}년: 증언 ${n}건`, testimonies: (n) => `증언 ${n}건`,
      kinds: { place: '지역', violation: '침해 유형', term: '낱말' },
      back: '검색 결과로 돌아가기', paragraph: (n) => `${n}단락`, interview: '면담일', access: '공개 여부',
      interviewee: '면담자', events: '코딩된 사건', passagesIn: '단락',
      Q: '질문', A: '답변', public: '공개', restricted: '제한',
      loading: '불러오는 중…', notFound: '이 증언을 찾지 못했습니다.', showAll: (n) => `${n}개 모두 보기`, showFewer: '줄여 보기',
    },
  };
  const FACETS = ['location', 'year', 'violation', 'sdg'];
  const LISTS = ['location', 'violation', 'sdg'];
  const PER_PAGE = 10;
  // A count is a number, or "<3" when disclosure control hides a small one from the public:
  // sorted and drawn as 1, shown as given.
  const num = (c) => (typeof c === 'number' ? c : 1);
  const $ = (id) => document.getElementById(id);

  let ui = 'en';
  let state = emptyState();
  let lastResponse = null;
  let searchSeq = 0;
  const expanded = { location: new Set(), violation: new Set(), sdg: new Set() };
  const showAll = new Set();
  const labels = new Map(); // "kind:value" -> {en, ko}, from every facet list seen
  const highlights = new Map(); // passage_id -> highlight of the last results
  const T = (key, ...args) => {
    const s = STRINGS[ui][key];
    return typeof s === 'function' ? s(...args) : s;
  };

  function emptyState() {
    return { q: '', location: [], violation: [], sdg: [], year_from: null, year_to: null, page: 1, sort: 'relevance', t: null, p: null };
  }

  // ---- DOM helpers: strings become text nodes, never markup.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  // A highlight from the server: its text, with <mark> kept and every other tag dropped.
  function highlighted(html) {
    const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
    const out = document.createDocumentFragment();
    const copy = (from, to) => {
      for (const n of from.childNodes) {
        if (n.nodeType === Node.TEXT_NODE) to.append(document.createTextNode(n.textContent));
        else if (n.nodeType === Node.ELEMENT_NODE) {
          if (n.tagName === 'MARK') { const m = document.createElement('mark'); copy(n, m); to.append(m); }
          else copy(n, to);
        }
      }
    };
    copy(doc.body, out);
    return out;
  }

  // ---- state <-> URL
  function readUrl() {
    const u = new URLSearchParams(location.search);
    const s = emptyState();
    s.q = u.get('q') || '';
    for (const k of LISTS) s[k] = u.getAll(k).filter(Boolean);
    const int = (v) => (v && /^\d+$/.test(v) ? parseInt(v, 10) : null);
    s.year_from = int(u.get('year_from'));
    s.year_to = int(u.get('year_to'));
    s.page = Math.max(1, int(u.get('page')) || 1);
    s.sort = u.get('sort') === 'year' ? 'year' : 'relevance';
    s.t = u.get('t') || null;
    s.p = int(u.get('p'));
    return s;
  }

  function apiParams(s) {
    const u = new URLSearchParams();
    if (s.q) u.set('q', s.q);
    for (const k of LISTS) for (const v of s[k]) u.append(k, v);
    if (s.year_from !== null) u.set('year_from', s.year_from);
    if (s.year_to !== null) u.set('year_to', s.year_to);
    if (s.sort !== 'relevance') u.set('sort', s.sort);
    return u;
  }

  function pageUrl(s) {
    const u = apiParams(s);
    if (s.page > 1) u.set('page', s.page);
    if (s.t) u.set('t', s.t);
    if (s.p) u.set('p', s.p);
    u.set('ui', ui);
    return `${location.pathname}?${u}`;
  }

  function navigate(changes) {
    state = { ...state, ...changes };
    history.pushState(null, '', pageUrl(state));
    return render();
  }

  window.addEventListener('popstate', () => {
    state = readUrl();
    render();
  });

  // ---- interface language
  function setUi(lang, persist) {
    ui = lang === 'ko' ? 'ko' : 'en';
    document.documentElement.lang = ui;
    document.title = T('title');
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = T(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = T(el.dataset.i18nPlaceholder);
    for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', T(el.dataset.i18nLabel));
    $('ui-lang').lang = ui === 'ko' ? 'en' : 'ko';
    if (persist) {
      try { localStorage.setItem('ui', ui); } catch (_) { /* private mode */ }
      history.replaceState(null, '', pageUrl(state));
    }
  }

  function label(kind, value, f) {
    const l = f ? { en: f.label_en, ko: f.label_ko } : labels.get(`${kind}:${value}`);
    if (!l) return String(value);
    return (ui === 'ko' ? l.ko : l.en) || l.en || l.ko || String(value);
  }
  function otherLabel(kind, value, f) {
    const l = f ? { en: f.label_en, ko: f.label_ko } : labels.get(`${kind}:${value}`);
    if (!l) return '';
    const o = ui === 'ko' ? l.en : l.ko;
    return o && o !== label(kind, value, f) ? o : '';
  }
  function learnLabels(facets) {
    for (const k of FACETS) for (const f of facets[k] || []) labels.set(`${k}:${f.value}`, { en: f.label_en, ko: f.label_ko });
  }

  // ---- rendering
  async function render() {
    $('q').value = state.q;
    $('sort').value = state.sort;
    renderChips();
    const inTestimony = Boolean(state.t);
    $('testimony').hidden = !inTestimony;
    for (const id of ['hits', 'pager']) $(id).hidden = inTestimony;
    $('summary').parentElement.hidden = inTestimony;
    const searching = runSearch();
    if (inTestimony) await showTestimony(state.t, state.p);
    await searching;
  }

  async function runSearch() {
    const seq = ++searchSeq;
    const u = apiParams(state);
    const browsing = !state.q && !LISTS.some((k) => state[k].length) && state.year_from === null && state.year_to === null;
    u.set('per_page', browsing || state.t ? 0 : PER_PAGE);
    if (state.page > 1 && !state.t) u.set('page', state.page);
    let d;
    try {
      const r = await fetch(`/api/search?${u}`);
      d = await r.json();
      if (!r.ok) throw new Error((d.error && d.error.message) || r.statusText);
    } catch (e) {
      if (seq !== searchSeq) return;
      $('summary').replaceChildren(h('span', { class: 'error' }, T('failed', e.message)));
      $('hits').replaceChildren();
      $('pager').replaceChildren();
      return;
    }
    if (seq !== searchSeq) return;
    lastResponse = d;
    learnLabels(d.facets);
    renderFacets(d.facets);
    renderChips();
    if (state.t) return;
    if (browsing) {
      $('summary').textContent = T('start');
      $('hits').replaceChildren();
      $('pager').replaceChildren();
      return;
    }
    $('summary').textContent = d.total ? T('summary', d.total, d.testimonies) + T('took', d.took_ms.toFixed(1)) : T('none');
    highlights.clear();
    $('hits').replaceChildren(...d.hits.map(renderHit));
    renderPager(d.total);
    document.body.dataset.ready = String(seq);
  }

  function renderHit(hit) {
    if (hit.highlight) highlights.set(hit.passage_id, hit.highlight);
    const withheld = hit.withheld || (hit.text === undefined && hit.highlight === undefined);
    const speaker = hit.speaker ? T(hit.speaker) : null;
    const tags = [
      ...(hit.places || []).map((p) => h('span', { class: 'tag' }, label('location', p.id, p))),
      ...(hit.violations || []).map((v) => h('span', { class: 'tag' }, label('violation', v.id, v))),
      ...(hit.years || []).map((y) => h('span', { class: 'tag' }, String(y))),
    ];
    return h('li', { class: 'hit', 'data-passage': hit.passage_id },
      h('div', { class: 'hit-head' }, h('strong', {}, hit.testimony_id), h('span', {}, T('paragraph', hit.paragraph)), speaker ? h('span', {}, speaker) : null),
      withheld
        ? h('p', { class: 'withheld' }, T('withheld'))
        : h('p', { class: 'passage', lang: hit.language || null }, highlighted(hit.highlight || '')),
      h('cite', {}, hit.citation),
      tags.length ? h('div', { class: 'tags' }, tags) : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'open', onclick: () => navigate({ t: hit.testimony_id, p: hit.paragraph }) }, T('open')),
        withheld ? null : h('button', { type: 'button', class: 'copy', onclick: () => copyQuote(hit.text, hit.citation) }, T('copy'))));
  }

  function renderPager(total) {
    const pages = Math.max(1, Math.min(Math.ceil(total / PER_PAGE), Math.floor(10000 / PER_PAGE)));
    if (pages <= 1) { $('pager').replaceChildren(); return; }
    const go = (p) => () => { navigate({ page: p }).then(() => $('results').focus()); };
    $('pager').replaceChildren(
      h('button', { type: 'button', id: 'prev', disabled: state.page <= 1, onclick: go(state.page - 1) }, T('prev')),
      h('span', { 'aria-current': 'page' }, T('pageOf', state.page, pages)),
      h('button', { type: 'button', id: 'next', disabled: state.page >= pages, onclick: go(state.page + 1) }, T('next')));
  }

  function renderChips() {
    const chips = [];
    for (const k of LISTS) {
      for (const v of state[k]) {
        const l = label(k, v);
        chips.push(h('span', { class: 'chip' }, `${T(k)}: ${l}`,
          h('button', { type: 'button', 'aria-label': T('remove', l), onclick: () => toggle(k, v) }, '×')));
      }
    }
    if (state.year_from !== null || state.year_to !== null) {
      const l = `${state.year_from ?? '…'}–${state.year_to ?? '…'}`;
      chips.push(h('span', { class: 'chip' }, `${T('year')}: ${l}`,
        h('button', { type: 'button', 'aria-label': T('remove', l), onclick: () => navigate({ year_from: null, year_to: null, page: 1 }) }, '×')));
    }
    $('active-filters').replaceChildren(...chips);
  }

  function toggle(kind, value) {
    const list = state[kind].includes(value) ? state[kind].filter((v) => v !== value) : [...state[kind], value];
    return navigate({ [kind]: list, page: 1, t: null, p: null });
  }

  // Keeps keyboard focus on the same control when a panel is drawn again.
  function keepFocus(draw) {
    const a = document.activeElement;
    const key = a && a.dataset && a.dataset.focusKey;
    draw();
    if (key) {
      const again = document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
      if (again) again.focus();
    }
  }

  function renderFacets(facets) {
    keepFocus(() => {
      for (const k of LISTS) $(`facet-${k}`).replaceChildren(tree(k, facets[k] || []));
      $('facet-year').replaceChildren(histogram(facets.year || []));
    });
  }

  function tree(kind, list) {
    const nodes = new Map(list.map((f) => [f.value, { f, children: [] }]));
    const roots = [];
    for (const n of nodes.values()) {
      const parent = n.f.parent && nodes.get(n.f.parent);
      (parent ? parent.children : roots).push(n);
    }
    const byCount = (a, b) => num(b.f.count) - num(a.f.count) || label(kind, a.f.value, a.f).localeCompare(label(kind, b.f.value, b.f));
    const selected = new Set(state[kind]);
    // Open the branches that lead to a selected value.
    for (const v of selected) {
      let n = nodes.get(v);
      while (n && n.f.parent) { expanded[kind].add(n.f.parent); n = nodes.get(n.f.parent); }
    }
    const item = (n, depth) => {
      const v = n.f.value;
      const l = label(kind, v, n.f);
      const id = `f-${kind}-${String(v).replace(/[^a-zA-Z0-9]/g, '_')}`;
      const isOpen = depth === 0 && kind !== 'sdg' ? !expanded[kind].has(`-${v}`) : expanded[kind].has(v);
      const twisty = n.children.length
        ? h('button', {
          type: 'button', class: 'twisty', 'aria-expanded': String(isOpen), 'data-focus-key': `tw:${kind}:${v}`,
          'aria-label': T(isOpen ? (kind === 'location' ? 'collapse' : 'collapseV') : (kind === 'location' ? 'expand' : 'expandV'), l),
          onclick: () => {
            const key = depth === 0 && kind !== 'sdg' ? `-${v}` : v;
            // Roots start open (their key marks them closed); deeper nodes start closed.
            if (expanded[kind].has(key)) expanded[kind].delete(key); else expanded[kind].add(key);
            if (lastResponse) renderFacets(lastResponse.facets);
          },
        }, isOpen ? '▾' : '▸')
        : h('span', { class: 'twisty-gap' });
      const other = otherLabel(kind, v, n.f);
      const li = h('li', { class: n.f.count ? null : 'zero' },
        h('div', { class: 'node' }, twisty,
          h('input', {
            type: 'checkbox', id, 'data-kind': kind, 'data-value': v, 'data-focus-key': `cb:${kind}:${v}`,
            checked: selected.has(v), onchange: () => toggle(kind, v),
          }),
          h('label', { for: id }, l, ' ', other ? h('span', { class: 'other', lang: ui === 'ko' ? 'en' : 'ko' }, other) : null,
            ' ', h('span', { class: 'count' }, `(${n.f.count})`))));
      if (n.children.length && isOpen) li.append(h('ul', {}, n.children.sort(byCount).map((c) => item(c, depth + 1))));
      return li;
    };
    roots.sort(kind === 'sdg' ? () => 0 : byCount);
    const limit = 8;
    const all = showAll.has(kind) || roots.length <= limit + 2;
    const frag = document.createDocumentFragment();
    frag.append(h('ul', { class: 'tree' }, (all ? roots : roots.slice(0, limit)).map((n) => item(n, 0))));
    if (roots.length > limit + 2) {
      frag.append(h('button', {
        type: 'button', class: 'more', 'data-focus-key': `more:${kind}`,
        onclick: () => { if (showAll.has(kind)) showAll.delete(kind); else showAll.add(kind); renderFacets(lastResponse.facets); },
      }, all ? T('showFewer') : T('showAll', roots.length)));
    }
    return frag;
  }

  function histogram(list) {
    const frag = document.createDocumentFragment();
    if (!list.length) return frag;
    const counts = new Map(list.map((f) => [Number(f.value), num(f.count)]));
    const shown = new Map(list.map((f) => [Number(f.value), f.count]));
    const years = [...counts.keys()];
    const lo = Math.min(...years, state.year_from ?? Infinity);
    const hi = Math.max(...years, state.year_to ?? -Infinity);
    const max = Math.max(1, ...counts.values());
    const from = state.year_from, to = state.year_to;
    const inRange = (y) => (from !== null || to !== null) && (from === null || y >= from) && (to === null || y <= to);
    const bars = [];
    for (let y = lo; y <= hi; y++) {
      const n = counts.get(y) || 0;
      const fill = h('span');
      fill.style.height = `${n ? Math.max(4, (100 * n) / max) : 0}%`;
      bars.push(h('button', {
        type: 'button', 'aria-pressed': String(inRange(y)), 'aria-label': T('yearBar', y, shown.get(y) ?? 0), title: T('yearBar', y, shown.get(y) ?? 0),
        'data-year': y, 'data-focus-key': `yr:${y}`, tabindex: n ? null : '-1',
        onclick: (e) => {
          // A click picks one year; with Shift it stretches the range to this year.
          if (e.shiftKey && (from !== null || to !== null)) navigate({ year_from: Math.min(from ?? y, y), year_to: Math.max(to ?? y, y), page: 1, t: null, p: null });
          else if (from === y && to === y) navigate({ year_from: null, year_to: null, page: 1 });
          else navigate({ year_from: y, year_to: y, page: 1, t: null, p: null });
        },
      }, fill));
    }
    frag.append(h('div', { class: 'hist', role: 'group', 'aria-label': T('year') }, bars));
    frag.append(h('div', { class: 'hist-axis', 'aria-hidden': 'true' }, h('span', {}, String(lo)), h('span', {}, String(hi))));
    const select = (id, labelKey, value, other) => {
      const options = [h('option', { value: '' }, T('any'))];
      for (let y = lo; y <= hi; y++) options.push(h('option', { value: y, selected: value === y }, String(y)));
      // Korean puts 부터/까지 after the year.
      const text = T(labelKey);
      const field = h('select', {
        id, 'data-focus-key': `sel:${id}`,
        onchange: (e) => {
          const v = e.target.value === '' ? null : Number(e.target.value);
          const change = { year_from: from, year_to: to, [other === 'to' ? 'year_from' : 'year_to']: v, page: 1, t: null, p: null };
          // A range picked backwards is still the range meant.
          if (change.year_from !== null && change.year_to !== null && change.year_from > change.year_to) {
            [change.year_from, change.year_to] = [change.year_to, change.year_from];
          }
          navigate(change);
        },
      }, options);
      return ui === 'ko' ? h('label', {}, field, ' ', text) : h('label', {}, text, ' ', field);
    };
    frag.append(h('div', { class: 'range' },
      select('year-from', 'from', from, 'to'), select('year-to', 'to', to, 'from'),
      from !== null || to !== null
        ? h('button', { type: 'button', 'data-focus-key': 'yr:clear', onclick: () => navigate({ year_from: null, year_to: null, page: 1 }) }, T('clearYears'))
        : null));
    return frag;
  }

  // ---- testimony view
  async function showTestimony(id, paragraph) {
    const box = $('testimony');
    box.replaceChildren(h('p', {}, T('loading')));
    let t;
    try {
      const r = await fetch(`/api/testimonies/${encodeURIComponent(id)}`);
      t = await r.json();
      if (!r.ok) throw new Error((t.error && t.error.message) || r.statusText);
    } catch (e) {
      box.replaceChildren(backButton(), h('p', { class: 'error' }, `${T('notFound')} ${e.message}`));
      return;
    }
    if (state.t !== id) return;
    await ensureLabels();
    const meta = [];
    const row = (k, v) => { if (v) meta.push(h('dt', {}, k), h('dd', {}, v)); };
    row('ID', t.id);
    row(T('interview'), t.interview_date);
    row(T('access'), T(t.access) || t.access);
    const who = t.interviewee || {};
    row(T('interviewee'), [who.gender, who.birth_decade, who.origin_province].filter(Boolean).join(', '));
    const events = (t.events || []).map((e) => [
      e.violation && label('violation', e.violation),
      e.location && label('location', e.location),
      e.year && (e.year_to && e.year_to !== e.year ? `${e.year}–${e.year_to}` : String(e.year)),
    ].filter(Boolean).join(' · '));
    if (events.length) meta.push(h('dt', {}, T('events')), h('dd', {}, h('ul', {}, events.map((e) => h('li', {}, e)))));
    const passages = (t.passage_list || []).map((p) => {
      const target = p.paragraph === paragraph;
      const withheld = p.withheld || p.text === undefined;
      const hl = target && highlights.get(p.passage_id);
      return h('li', { id: `p-${p.paragraph}`, class: target ? 'target' : null, tabindex: target ? '-1' : null, 'aria-current': target ? 'true' : null, lang: p.language || null },
        h('span', { class: 'pnum' }, T('paragraph', p.paragraph)), p.speaker ? h('strong', {}, `${T(p.speaker)}: `) : null,
        withheld ? h('span', { class: 'withheld' }, T('withheld')) : (hl ? highlighted(hl) : p.text),
        target && !withheld ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'copy', onclick: () => copyQuote(p.text, p.citation) }, T('copy'))) : null);
    });
    box.replaceChildren(
      backButton(),
      h('h2', { id: 't-title', tabindex: '-1' }, t.title || t.id),
      h('dl', { class: 'meta' }, meta),
      h('h3', {}, T('passagesIn')),
      passages.length ? h('ol', { class: 'passages' }, passages) : h('p', { class: 'withheld' }, T('withheld')));
    const target = paragraph && $(`p-${paragraph}`);
    if (target) {
      target.scrollIntoView({ block: 'center' });
      target.focus({ preventScroll: true });
    } else {
      $('t-title').focus();
    }
    document.body.dataset.testimony = id;
  }

  function backButton() {
    return h('button', { type: 'button', class: 'back', id: 'back', onclick: () => navigate({ t: null, p: null }).then(() => $('results').focus()) }, `← ${T('back')}`);
  }

  let labelsLoaded = null;
  function ensureLabels() {
    labelsLoaded ??= fetch('/api/facets').then((r) => r.json()).then(learnLabels).catch(() => {});
    return labelsLoaded;
  }

  // ---- copying a quote
  function toast(text) {
    const el = $('toast');
    el.textContent = text;
    el.classList.add('show');
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => el.classList.remove('show'), 2500);
  }

  async function copyQuote(text, citation) {
    const quote = ui === 'ko' ? `“${text.trim()}” (${citation})` : `“${text.trim()}” (${citation})`;
    window.lastCopiedQuote = quote;
    try {
      await navigator.clipboard.writeText(quote);
      toast(T('copied'));
      return;
    } catch (_) { /* no permission or no secure context: fall back */ }
    const area = h('textarea', { readonly: true, 'aria-hidden': 'true' });
    area.value = quote;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
    area.remove();
    toast(ok ? T('copied') : T('copyFailed'));
  }

  // ---- the search box and its completions
  const input = $('q');
  const list = $('suggestions');
  let suggestions = [];
  let active = -1;
  let suggestSeq = 0;
  let suggestTimer = null;

  function closeList() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    suggestions = [];
    active = -1;
  }

  function setActive(i) {
    active = i;
    for (const [j, li] of [...list.children].entries()) li.setAttribute('aria-selected', String(j === i));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', `sg-${i}`);
      list.children[i].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  async function fetchSuggestions() {
    const q = input.value;
    const seq = ++suggestSeq;
    if (!q.trim()) { closeList(); return; }
    let d;
    try {
      const r = await fetch(`/api/suggest?${new URLSearchParams({ q, limit: 8 })}`);
      if (!r.ok) { closeList(); return; }
      d = await r.json();
    } catch (_) { return; }
    if (seq !== suggestSeq || document.activeElement !== input) return;
    suggestions = d.suggestions || [];
    if (!suggestions.length) { closeList(); return; }
    list.replaceChildren(...suggestions.map((s, i) => {
      const other = s.kind === 'term' ? '' : (/[\uac00-\ud7a3]/.test(s.text) ? s.label_en : s.label_ko);
      const meta = [other, s.count ? T('testimonies', s.count) : ''].filter(Boolean).join(' · ');
      return h('li', {
        role: 'option', id: `sg-${i}`, 'aria-selected': 'false', 'data-kind': s.kind, 'data-value': s.value,
        onmousedown: (e) => { e.preventDefault(); pick(i); },
      }, h('span', { class: 's-text' }, s.text), h('span', { class: `s-kind ${s.kind}` }, T('kinds')[s.kind] || s.kind),
      meta ? h('span', { class: 's-meta' }, meta) : null);
    }));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    setActive(-1);
  }

  function pick(i) {
    const s = suggestions[i];
    if (!s) return;
    input.value = s.text;
    closeList();
    navigate({ q: s.text, page: 1, t: null, p: null });
  }

  input.addEventListener('input', () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(fetchSuggestions, 60);
  });
  input.addEventListener('keydown', (e) => {
    const open = !list.hidden && suggestions.length;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) fetchSuggestions(); else setActive((active + 1) % suggestions.length);
    } else if (e.key === 'ArrowUp') {
      if (open) { e.preventDefault(); setActive(active <= 0 ? suggestions.length - 1 : active - 1); }
    } else if (e.key === 'Enter') {
      if (open && active >= 0) { e.preventDefault(); pick(active); }
    } else if (e.key === 'Escape') {
      if (open) { e.preventDefault(); closeList(); }
    } else if (e.key === 'Tab') {
      closeList();
    }
  });
  input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) closeList(); }, 100));

  $('search').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(suggestTimer);
    suggestSeq++;
    closeList();
    navigate({ q: input.value.trim(), page: 1, t: null, p: null });
  });
  $('sort').addEventListener('change', (e) => navigate({ sort: e.target.value, page: 1 }));
  $('ui-lang').addEventListener('click', () => {
    setUi(ui === 'ko' ? 'en' : 'ko', true);
    render();
  });
  $('home').addEventListener('click', (e) => {
    e.preventDefault();
    state = emptyState();
    history.pushState(null, '', pageUrl(state));
    render();
  });

  // ---- start
  let stored = null;
  try { stored = localStorage.getItem('ui'); } catch (_) { /* private mode */ }
  const fromUrl = new URLSearchParams(location.search).get('ui');
  setUi(fromUrl || stored || ((navigator.language || '').startsWith('ko') ? 'ko' : 'en'), false);
  if (window.matchMedia('(max-width: 50rem)').matches) $('filters').open = false;
  state = readUrl();
  history.replaceState(null, '', pageUrl(state));
  render();
})();
