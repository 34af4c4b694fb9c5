/* Carta d'Ambito: search in the browser, over the static index exported from the Whoosh
 * index at build time. Same procedure as carta/search/engine.py (see its docstring):
 * same words, synonyms, typo tolerance, filters and BM25F scores, so the results agree.
 * No dependencies; works on any static host. */
(function () {
  "use strict";
  var MAX_QUERY_CHARS = 200, MAX_WORDS = 12, FUZZY_MIN = 4, PAGE = 20;
  var SNIPPET_CHARS = 180, SNIPPET_LEAD = 60, MIN_SIZE = 2, LITTLE = 3, SUGGEST_TWO_EDITS = 8;
  /* messages: the same words as engine.py */
  var MSG = {
    common: "Le parole cercate sono troppo comuni: aggiungi una parola più precisa.",
    empty: "Scrivi una o più parole, ad esempio «assistenza domiciliare» o «affitto».",
    any: "Nessuna scheda contiene tutte le parole cercate: ecco quelle che ne contengono almeno una.",
    similar: "Nessun risultato esatto: ecco i risultati per parole simili.",
    none: "Prova con altre parole, anche una sola.",
    noneFilters: "Prova a togliere qualche filtro o a usare altre parole.",
    filtersOnly: "Prova a togliere qualche filtro.",
    ask: "Non hai trovato quello che cerchi? Puoi chiedere a uno di questi servizi, oppure cercare tra i servizi per area di bisogno.",
    areas: "Non hai trovato quello che cerchi? Cerca tra i servizi per area di bisogno.",
    askAlso: "Puoi anche chiedere a uno di questi servizi, oppure cercare tra i servizi per area di bisogno.",
    areasAlso: "Puoi anche cercare tra i servizi per area di bisogno."
  };
  var AREAS_LINK = { titolo: "Servizi per area di bisogno", url: "/aree/" };
  var TOKEN = /[\p{L}\p{N}_]+(?:\.?[\p{L}\p{N}_]+)*/gu;
  /* the words of the index of another language: combining marks inside words (languages.py) */
  var TOKEN_MARKS = /[\p{L}\p{N}\p{M}_]+(?:\.?[\p{L}\p{N}\p{M}_]+)*/gu;
  var FILTERS = { area: ["aree", "Area di bisogno"], destinatari: ["destinatari", "Per chi"], comune: ["comuni", "Comune"], tipo: ["tipo", "Tipo di scheda"] };

  function Index(base, fetchJson) {
    this.base = base;
    this.fetchJson = fetchJson;
    this.cache = {};
  }
  Index.prototype.load = function (path) {
    if (!this.cache[path]) this.cache[path] = this.fetchJson(this.base + path);
    return this.cache[path];
  };

  /* as analysis.key: lowercase, decomposed, marks removed, Arabic normalised (tashkeel and
   * the superscript alef are marks; tatweel removed; أ إ آ ٱ → ا, ة → ه, ى → ي) */
  function fold(word) {
    return word.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").replace(/[\u064B-\u0652\u0670\u0640]/g, "")
      .replace(/[\u0623\u0625\u0622\u0671]/g, "\u0627").replace(/\u0629/g, "\u0647").replace(/\u0649/g, "\u064A");
  }
  function tokens(text, marks) {
    var out = [], m, re = marks ? TOKEN_MARKS : TOKEN;
    re.lastIndex = 0;
    while ((m = re.exec(text)) !== null) out.push([m[0].toLowerCase(), m.index, m.index + m[0].length]);
    return out;
  }
  /* the terms of a vocabulary entry [spelling, term, df, other terms…] (engine.py entry_terms) */
  function entryTerms(e) { return [e[1]].concat(e.slice(3)); }
  /* a term without its language: "en:care" → "care" */
  function bare(t) { return t.slice(t.indexOf(":") + 1); }
  function osa(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var prev2 = [], prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      var cur = [i], best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        best = Math.min(best, v);
      }
      if (best > limit) return limit + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }
  function cmpStr(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function cmpList(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i++) {
      var c = cmpStr(a[i], b[i]);
      if (c) return c;
    }
    return a.length - b.length;
  }
  /* the shard holding `key`: shards are ranges of sorted keys, `bounds` their first keys */
  function shardOf(key, bounds) {
    var lo = 0, hi = bounds.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (cmpStr(bounds[mid], key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  function commonPrefix(a, b) {
    var n = 0;
    while (n < Math.min(a.length, b.length) && a[n] === b[n]) n++;
    return n;
  }
  function groupsKey(groups) {
    return JSON.stringify(groups.slice().sort(cmpList));
  }

  /* --- the engine -------------------------------------------------------------------- */
  function Engine(index) { this.index = index; }

  Engine.prototype.open = async function () {
    var m = await this.index.load("index.json");
    this.m = m;
    this.marks = m.tokens === "marks";
    this.translated = new Set(m.translated || []);
    this.stop = new Set(m.stop);
    this.filler = new Set(m.filler || []);
    this.guide = m.guidance || { ask: [], emergency: null };
    this.synonyms = m.synonyms.slice().sort(function (a, b) { return (b[0].length - a[0].length) || cmpList(a[0], b[0]); });
    return this;
  };
  /* a message in the language of the index */
  Engine.prototype.say = function (text) {
    var t = this.m.messages;
    return t && Object.prototype.hasOwnProperty.call(t, text) ? t[text] : text;
  };
  Engine.prototype.tokens = function (text) { return tokens(text, this.marks); };
  Engine.prototype.isStop = function (w) {
    return w.length < MIN_SIZE || this.stop.has(w) || this.stop.has(fold(w));
  };
  Engine.prototype.word = async function (folded) {
    var shard = await this.index.load("w/" + shardOf(folded, this.m.bounds.words) + ".json");
    return Object.prototype.hasOwnProperty.call(shard, folded) ? shard[folded] : null;
  };
  Engine.prototype.allWords = async function () {
    if (!this.words) {
      var all = {}, jobs = [];
      for (var k = 0; k < this.m.shards.words; k++) jobs.push(this.index.load("w/" + k + ".json"));
      (await Promise.all(jobs)).forEach(function (s) { Object.assign(all, s); });
      var byInitial = {};
      Object.keys(all).sort(cmpStr).forEach(function (w) { (byInitial[w[0]] = byInitial[w[0]] || []).push(w); });
      this.words = all;
      this.byInitial = byInitial;
    }
    return this.words;
  };
  Engine.prototype.similar = async function (folded) {
    if (folded.length < FUZZY_MIN) return [];
    var words = await this.allWords(), limit = folded.length <= 5 ? 1 : 2, found = [];
    (this.byInitial[folded[0]] || []).forEach(function (w) {
      if (w === folded) return;
      var d = osa(folded, w, limit);
      if (d <= limit) found.push([d, -commonPrefix(folded, w), -words[w][2], w]);
    });
    return found.sort(function (a, b) { return (a[0] - b[0]) || (a[1] - b[1]) || (a[2] - b[2]) || cmpStr(a[3], b[3]); });
  };
  /* terms of the words similar to `folded`, and the one to suggest (as engine.py expand) */
  Engine.prototype.expand = async function (folded) {
    var similar = await this.similar(folded), words = this.words, terms = new Set();
    similar.forEach(function (c) { entryTerms(words[c[3]]).forEach(function (t) { terms.add(t); }); });
    var close = similar.length && similar[0][0] <= (folded.length < SUGGEST_TWO_EDITS ? 1 : 2);
    return { terms: Array.from(terms).sort(cmpStr), best: close ? words[similar[0][3]][0] : null };
  };
  Engine.prototype.plan = async function (query) {
    var self = this, text = query.normalize("NFC").slice(0, MAX_QUERY_CHARS);
    var words = this.tokens(text).map(function (t) { return t[0]; }).filter(function (w) { return !self.isStop(w); }).slice(0, MAX_WORDS);
    var folded = words.map(fold), clauses = [], filler = [], i = 0;
    while (i < folded.length) {
      var syn = null;
      for (var s = 0; s < this.synonyms.length; s++) {
        var key = this.synonyms[s][0];
        if (cmpList(folded.slice(i, i + key.length), key) === 0 && folded.slice(i, i + key.length).length === key.length) { syn = this.synonyms[s]; break; }
      }
      if (syn) {
        clauses.push({ words: words.slice(i, i + syn[0].length), groups: syn[1].map(function (g) { return g.slice(); }), kind: "synonym", suggestion: null });
        i += syn[0].length;
        continue;
      }
      var entry = await this.word(folded[i]);
      if (entry) {
        clauses.push({ words: [words[i]], groups: entryTerms(entry).map(function (t) { return [t]; }), kind: "exact", suggestion: null });
      } else {
        var x = await this.expand(folded[i]);
        clauses.push({ words: [words[i]], kind: "fuzzy", groups: x.terms.map(function (t) { return [t]; }), suggestion: x.best });
      }
      if (this.filler.has(folded[i])) filler.push(clauses[clauses.length - 1]);
      i += 1;
    }
    if (filler.length < clauses.length) clauses = clauses.filter(function (c) { return filler.indexOf(c) < 0; });
    var seen = new Set();
    return clauses.filter(function (c) {
      var k = groupsKey(c.groups);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  Engine.prototype.widen = async function (clauses) {
    var out = [];
    for (var i = 0; i < clauses.length; i++) {
      var c = clauses[i];
      if (c.kind !== "exact") { out.push(c); continue; }
      var x = await this.expand(fold(c.words[0])), own = c.groups.map(function (g) { return g[0]; });
      var extra = x.terms.filter(function (t) { return own.indexOf(t) < 0; }).map(function (t) { return [t]; });
      out.push({ words: c.words, groups: c.groups.concat(extra), kind: extra.length ? "fuzzy" : "exact", suggestion: x.best });
    }
    return out;
  };
  Engine.prototype.postings = async function (term) {
    var shard = await this.index.load("p/" + shardOf(term, this.m.bounds.postings) + ".json");
    return Object.prototype.hasOwnProperty.call(shard, term) ? shard[term] : {};
  };
  /* doc → score of one term over all fields (Whoosh BM25F, times the field weight) */
  Engine.prototype.termScores = async function (term) {
    var p = await this.postings(term), m = this.m, scores = new Map(), B = m.bm25.B, K1 = m.bm25.K1;
    m.fields.forEach(function (f) {
      var flat = p[f[0]];
      if (!flat) return;
      var df = flat.length / 3, idf = Math.log(m.docs / (df + 1)) + 1, doc = 0;
      for (var k = 0; k < flat.length; k += 3) {
        doc += flat[k];
        var tf = flat[k + 1], fl = flat[k + 2];
        var s = f[1] * (idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / f[2]))));
        scores.set(doc, (scores.get(doc) || 0) + s);
      }
    });
    return scores;
  };
  Engine.prototype.run = async function (clauses, every, allowed) {
    var perClause = [];
    for (var c = 0; c < clauses.length; c++) {
      var groups = clauses[c].groups;
      if (!groups.length) {
        if (every) return new Map();
        continue;
      }
      var clauseScores = new Map();
      for (var g = 0; g < groups.length; g++) {
        var groupScores = null;
        for (var t = 0; t < groups[g].length; t++) {
          var ts = await this.termScores(groups[g][t]);
          if (groupScores === null) groupScores = new Map(ts);
          else {
            var next = new Map();
            groupScores.forEach(function (v, d) { if (ts.has(d)) next.set(d, v + ts.get(d)); });
            groupScores = next;
          }
        }
        groupScores.forEach(function (v, d) { clauseScores.set(d, (clauseScores.get(d) || 0) + v); });
      }
      perClause.push(clauseScores);
    }
    if (!perClause.length) return new Map();
    /* doc → [score, clauses it matches], as engine.py _run */
    var docs = new Set(), result = new Map();
    perClause.forEach(function (cs) { cs.forEach(function (v, d) { docs.add(d); }); });
    Array.from(docs).sort(function (a, b) { return a - b; }).forEach(function (d) {
      if (allowed && !allowed.has(d)) return;
      var score = 0, matched = 0;
      for (var k = 0; k < perClause.length; k++) {
        if (perClause[k].has(d)) { score += perClause[k].get(d); matched += 1; }
        else if (every) return;
      }
      result.set(d, [score, matched]);
    });
    return result;
  };
  /* every clause, else any clause, else similar words (engine.py _answer) */
  Engine.prototype.answer = async function (clauses, allowed) {
    var scores = await this.run(clauses, true, allowed), how = "all";
    if (!scores.size && clauses.length > 1) { scores = await this.run(clauses, false, allowed); how = "any"; }
    if (!scores.size) {
      var wider = await this.widen(clauses);
      if (wider.some(function (c) { return c.kind === "fuzzy"; })) {
        var found = await this.run(wider, false, allowed);
        if (found.size) return { scores: found, clauses: wider, how: "similar" };
      }
    }
    return { scores: scores, clauses: clauses, how: how };
  };
  Engine.prototype.facetDocs = async function (key) {
    var facets = await this.index.load("facets.json"), out = new Set(), doc = 0;
    (facets[key] || []).forEach(function (delta) { doc += delta; out.add(doc); });
    return out;
  };
  Engine.prototype.allowed = async function (filters) {
    var sets = [];
    if (filters.area) sets.push(await this.facetDocs("aree:" + filters.area));
    if (filters.destinatari) sets.push(await this.facetDocs("destinatari:" + filters.destinatari));
    if (filters.tipo) sets.push(await this.facetDocs("tipo:" + filters.tipo));
    if (filters.gratuito) sets.push(await this.facetDocs("costo:gratuito"));
    if (filters.comune) {
      var c = new Set(), keys = ["territorio:ambito", "territorio:" + filters.comune];
      if (this.m.sub_ambito_of[filters.comune]) keys.push("territorio:" + this.m.sub_ambito_of[filters.comune]);
      for (var k = 0; k < keys.length; k++) (await this.facetDocs(keys[k])).forEach(function (d) { c.add(d); });
      sets.push(c);
    }
    if (!sets.length) return null;
    var keep = new Set();
    for (var d = 0; d < this.m.docs; d++) {
      if (sets.every(function (s) { return s.has(d); })) keep.add(d);
    }
    return keep;
  };
  Engine.prototype.cleanFilters = function (raw) {
    var l = this.m.labels, out = {};
    [["area", l.aree], ["destinatari", l.destinatari], ["comune", l.comuni], ["tipo", l.tipo]].forEach(function (p) {
      var v = raw[p[0]];
      if (typeof v === "string" && Object.prototype.hasOwnProperty.call(p[1], v)) out[p[0]] = v;
    });
    if (["1", "true", "si", "sì", "on"].indexOf(String(raw.gratuito || "").toLowerCase()) >= 0) out.gratuito = "1";
    return out;
  };
  Engine.prototype.search = async function (query, rawFilters, limit, offset) {
    query = (query || "").normalize("NFC").replace(/\u0000/g, "").slice(0, MAX_QUERY_CHARS).trim();
    limit = limit || PAGE;
    offset = offset || 0;
    var filters = this.cleanFilters(rawFilters || {}), allowed = await this.allowed(filters), chosen = Object.keys(filters).length;
    var planned = await this.plan(query), clauses = planned, message = null, scores;
    var approximate = clauses.some(function (c) { return c.kind === "fuzzy"; });
    if (!clauses.length) {
      if (query && !chosen) message = this.say(MSG.common);
      else if (!chosen) message = this.say(MSG.empty);
      scores = new Map();
      if (allowed) Array.from(allowed).sort(function (a, b) { return a - b; }).forEach(function (d) { scores.set(d, [0, 0]); });
      if (chosen && !scores.size) message = this.say(MSG.filtersOnly);
    } else {
      var ans = await this.answer(clauses, allowed);
      scores = ans.scores;
      clauses = ans.clauses;
      approximate = approximate || ans.how === "similar";
      if (!scores.size) message = this.say(chosen ? MSG.noneFilters : MSG.none);
      else if (ans.how === "any") message = this.say(MSG.any);
      else if (approximate) message = this.say(MSG.similar);
    }
    var ranked = Array.from(scores.keys()).sort(function (a, b) {
      var x = scores.get(a), y = scores.get(b);
      return (y[1] - x[1]) || (Number(y[0].toPrecision(10)) - Number(x[0].toPrecision(10))) || (a - b);
    });
    var terms = new Set();
    clauses.forEach(function (c) { c.groups.forEach(function (g) { g.forEach(function (t) { terms.add(t); }); }); });
    var results = [], page = ranked.slice(offset, offset + limit), self = this, shards = {};
    page.forEach(function (n) { shards[Math.floor(n / self.m.shards.docs)] = true; });
    await Promise.all(Object.keys(shards).map(function (k) { return self.index.load("d/" + k + ".json"); }));
    var texts = [];
    for (var q = 0; q < page.length; q++) texts.push((await this.index.load("d/" + Math.floor(page[q] / this.m.shards.docs) + ".json"))[page[q] % this.m.shards.docs][5]);
    await this.wordShards(texts, terms);
    for (var r = offset; r < Math.min(ranked.length, offset + limit); r++) {
      var n = ranked[r], rows = await this.index.load("d/" + Math.floor(n / this.m.shards.docs) + ".json");
      var row = rows[n % this.m.shards.docs];
      results.push({ slug: row[0], tipo: row[1], titolo: row[2], sommario: row[3], url: row[4], score: scores.get(n)[0], snippet: await this.snippet(row[5], terms),
                     lingua: this.m.lang ? (this.translated.has(n) ? this.m.lang : "it") : null });
    }
    return { query: query, total: ranked.length, suggestion: await this.suggest(query, planned, allowed), message: message, filters: filters, results: results,
             guidance: this.guidance(!!(query || chosen), planned, ranked.length) };
  };
  /* where to go next (engine.py _guidance) */
  Engine.prototype.guidance = function (searched, planned, total) {
    var em = this.guide.emergency, key = em ? JSON.stringify(em.terms) : null;
    var urgent = !!em && planned.some(function (c) { return c.groups.some(function (g) { return JSON.stringify(g) === key; }); });
    var few = searched && total < LITTLE;
    if (!urgent && !few) return null;
    var text = [], links = [];
    if (urgent) { text.push(em.testo); links.push({ titolo: em.titolo, url: em.url }); }
    if (few) {
      var ask = this.guide.ask || [];
      text.push(this.say(urgent ? (ask.length ? MSG.askAlso : MSG.areasAlso) : (ask.length ? MSG.ask : MSG.areas)));
      ask.forEach(function (l) {
        if (!links.some(function (k) { return k.titolo === l.titolo && k.url === l.url; })) links.push({ titolo: l.titolo, url: l.url });
      });
      var areas = this.guide.areas || AREAS_LINK;
      links.push({ titolo: areas.titolo, url: areas.url });
    }
    return { text: text.join(" "), links: links, urgent: urgent };
  };
  /* a correction of the words the Carta does not contain (engine.py _suggest) */
  Engine.prototype.suggest = async function (query, planned, allowed) {
    var unknown = planned.filter(function (c) { return c.kind === "fuzzy"; });
    if (!unknown.length || unknown.some(function (c) { return !c.suggestion; })) return null;
    /* a word the Carta does not contain: no entry holds every word as typed */
    var replace = {};
    unknown.forEach(function (c) { replace[fold(c.words[0])] = c.suggestion; });
    var typed = this.tokens(query).map(function (t) { return t[0]; });
    var s = typed.map(function (w) { return Object.prototype.hasOwnProperty.call(replace, fold(w)) ? replace[fold(w)] : w; }).join(" ");
    if (fold(s) === fold(typed.join(" "))) return null;
    if (!(await this.run(await this.plan(s), true, allowed)).size) return null; /* it would find no more */
    return s;
  };
  /* the vocabulary shards the snippets of `texts` need, fetched at once rather than one by one */
  Engine.prototype.wordShards = function (texts, terms) {
    var self = this, prefixes = new Set(), shards = new Set();
    terms.forEach(function (t) { prefixes.add(bare(t).slice(0, 3)); });
    texts.forEach(function (text) {
      self.tokens(text).forEach(function (t) {
        var f = fold(t[0]);
        if (prefixes.has(f.slice(0, 3)) && !self.isStop(t[0])) shards.add(shardOf(f, self.m.bounds.words));
      });
    });
    return Promise.all(Array.from(shards).map(function (k) { return self.index.load("w/" + k + ".json"); }));
  };
  Engine.prototype.snippet = async function (text, terms) {
    var toks = this.tokens(text), spans = [], prefixes = new Set();
    terms.forEach(function (t) { prefixes.add(bare(t).slice(0, 3)); });
    for (var i = 0; i < toks.length; i++) {
      var f = fold(toks[i][0]);
      if (!prefixes.has(f.slice(0, 3)) || this.isStop(toks[i][0])) continue;
      var e = await this.word(f);
      if (e && entryTerms(e).some(function (t) { return terms.has(t); })) spans.push([toks[i][1], toks[i][2]]);
    }
    var start = 0, end;
    if (spans.length && spans[0][0] > SNIPPET_LEAD) {
      start = spans[0][0] - SNIPPET_LEAD;
      var first = toks.find(function (t) { return t[1] >= start; });
      start = first ? first[1] : spans[0][0];
    }
    end = Math.min(text.length, start + SNIPPET_CHARS);
    if (end < text.length) {
      var ends = toks.filter(function (t) { return t[2] <= end; });
      if (ends.length) end = ends[ends.length - 1][2];
    }
    var out = start > 0 ? "… " : "", cursor = start;
    spans.forEach(function (s) {
      if (s[0] < start || s[1] > end) return;
      out += esc(text.slice(cursor, s[0])) + "<mark>" + esc(text.slice(s[0], s[1])) + "</mark>";
      cursor = s[1];
    });
    out += esc(text.slice(cursor, end));
    if (end < text.length) out += " …";
    return out;
  };

  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  /* --- the page ---------------------------------------------------------------------- */
  function searchUrl(query, filters, page) {
    var p = new URLSearchParams();
    if (query) p.append("q", query);
    Object.keys(filters).sort().forEach(function (k) { p.append(k, filters[k]); });
    if (page > 1) p.append("pagina", String(page));
    var qs = p.toString();
    return location.pathname + (qs ? "?" + qs : "");
  }
  /* the words of the results in the language of the index (html.py INTERFACE), {name}s filled */
  function say(words, text, values) {
    var s = words && Object.prototype.hasOwnProperty.call(words, text) ? words[text] : text;
    return s.replace(/\{(\w+)\}/g, function (all, k) { return values && k in values ? values[k] : all; });
  }
  function render(res, labels, page, words, lang) {
    var q = res.query, f = res.filters, h = [], t = function (text, values) { return say(words, text, values); };
    var count = res.total === 0 ? t("Nessun risultato") : t(res.total === 1 ? "{n} risultato" : "{n} risultati", { n: res.total });
    if (q) count = t("{count} per «{query}»", { count: count, query: esc(q) });
    h.push('<p class="conteggio" id="conteggio">' + count + "</p>");
    if (res.message) h.push('<p class="messaggio">' + esc(res.message) + "</p>");
    var g = res.guidance, first = !!(g && (g.urgent || !res.results.length));
    if (first) h.push(guidanceHtml(g));
    if (res.suggestion) h.push('<p class="suggerimento">' + esc(t("Forse cercavi:")) + ' <a href="' + esc(searchUrl(res.suggestion, f, 1)) + '">' + esc(res.suggestion) + "</a></p>");
    var names = Object.keys(f);
    if (names.length) {
      h.push('<ul class="filtri-attivi" aria-label="' + esc(t("Filtri applicati")) + '">');
      names.forEach(function (n) {
        var rest = {};
        names.forEach(function (k) { if (k !== n) rest[k] = f[k]; });
        var text = n === "gratuito" ? t("Solo gratuiti") : t(FILTERS[n][1]) + ": " + (labels[FILTERS[n][0]][f[n]] || f[n]);
        h.push('<li><a href="' + esc(searchUrl(q, rest, 1)) + '">' + esc(text) + '<span class="nascosto"> ' + esc(t("(rimuovi il filtro)")) + '</span> <span aria-hidden="true">×</span></a></li>');
      });
      h.push('<li><a href="' + esc(searchUrl(q, {}, 1)) + '">' + esc(t("Rimuovi tutti i filtri")) + "</a></li></ul>");
    }
    if (res.results.length) {
      h.push('<ol class="risultati-elenco" start="' + ((page - 1) * PAGE + 1) + '">');
      res.results.forEach(function (r) {
        /* on a page in another language, a result whose text is Italian says so */
        var mark = r.lingua && r.lingua !== lang ? ' lang="' + esc(r.lingua) + '"' : "";
        h.push('<li class="risultato"><p class="tipo">' + esc(labels.tipo_scheda[r.tipo]) + "</p><h2" + mark + '><a href="' + esc(prefix + r.url) + '">' + esc(r.titolo) + "</a></h2><p" + mark + ">" + (r.snippet || esc(r.sommario)) + "</p></li>");
      });
      h.push("</ol>");
      var pages = Math.ceil(res.total / PAGE);
      if (pages > 1) {
        h.push('<nav class="pagine" aria-label="' + esc(t("Pagine dei risultati")) + '"><ul>');
        if (page > 1) h.push('<li><a href="' + esc(searchUrl(q, f, page - 1)) + '" rel="prev">' + esc(t("Pagina precedente")) + "</a></li>");
        h.push("<li>" + esc(t("Pagina {page} di {pages}", { page: page, pages: pages })) + "</li>");
        if (page < pages) h.push('<li><a href="' + esc(searchUrl(q, f, page + 1)) + '" rel="next">' + esc(t("Pagina successiva")) + "</a></li>");
        h.push("</ul></nav>");
      }
    }
    if (g && !first) h.push(guidanceHtml(g));
    return h.join("");
  }
  function guidanceHtml(g) {
    return '<div class="guida' + (g.urgent ? " urgente" : "") + '" role="note"><p>' + esc(g.text) + '</p><ul class="accessi">' + g.links.map(function (l) {
      return '<li><a href="' + esc(prefix + l.url) + '">' + esc(l.titolo) + "</a></li>";
    }).join("") + "</ul></div>";
  }

  var prefix = "";
  async function start() {
    var box = document.getElementById("risultati");
    if (!box || box.querySelector(".conteggio")) return; /* served with results already */
    var params = new URLSearchParams(location.search), raw = {};
    params.forEach(function (v, k) { if (!(k in raw)) raw[k] = v; });
    var field = document.getElementById("q"), form = field && field.form;
    if (form) {
      form.elements.q.value = raw.q || "";
      ["area", "destinatari", "comune", "tipo"].forEach(function (n) { if (raw[n] && form.elements[n]) form.elements[n].value = raw[n]; });
      if (form.elements.gratuito) form.elements.gratuito.checked = !!raw.gratuito;
    }
    var base = box.getAttribute("data-indice");
    /* the Carta's address: the index is /_search/, or /_search/<lang>/ for another language */
    prefix = base.replace(/\/_search\/(?:[a-z]{2}\/)?$/, "");
    var index = new Index(base, function (u) {
      return fetch(u).then(function (r) { if (!r.ok) throw new Error(u); return r.json(); });
    });
    var engine = await new Engine(index).open();
    var filters = engine.cleanFilters(raw);
    if (!(raw.q || "").trim() && !Object.keys(filters).length) return;
    var page = Math.max(1, Math.min(500, parseInt(raw.pagina, 10) || 1));
    box.setAttribute("aria-busy", "true");
    try {
      var res = await engine.search(raw.q || "", raw, PAGE, (page - 1) * PAGE);
      box.innerHTML = render(res, engine.m.labels, page, engine.m.interface, engine.m.lang || "it");
      /* screen readers hear the count (and any message), not the whole list */
      var status = document.getElementById("annuncio"), count = box.querySelector("#conteggio");
      if (status && count) status.textContent = count.textContent + (res.message ? ". " + res.message : "") + (res.guidance && res.guidance.urgent ? " " + res.guidance.text : "");
    } catch (e) {
      var words = engine && engine.m ? engine.m.interface : null, here = engine && engine.m && engine.m.lang ? "/" + engine.m.lang : "";
      box.innerHTML = '<p class="messaggio">' + esc(say(words, "La ricerca non è disponibile in questo momento. Consulta")) + ' <a href="' + esc(prefix + here) + '/servizi/">' + esc(say(words, "i servizi dalla A alla Z")) + "</a>.</p>";
    }
    box.removeAttribute("aria-busy");
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { Engine: Engine, Index: Index, fold: fold, tokens: tokens, shardOf: shardOf, osa: osa };
  } else if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})();
