/*
 * 站内搜索：页眉的搜索框、结果列表，以及打开结果页后标出搜索的词。
 *
 * 索引由 generator/site/search.py 用 Pagefind 生成：每个支部的全部文字按“相邻两个字”存成词
 * （集体经济 → 集体 体经 经济 济，每个字写成四位 36 进制数，浏览器不会再把它切开）。这里把查询按同样的规则拆开，作为一个整体短语查找，所以
 * 结果正好是文字里含有这个词的支部，不多不少；空格隔开的几个词要同时出现。只有一个字的词按
 * 前缀查（“茶”找到 茶叶、茶山……）。pairs() 必须与 search.py 的 pairs() 一致（有测试核对）。
 *
 * Pagefind 的脚本和索引在第一次搜索时才下载，而且只下载查询用到的那几块索引和要显示的结果。
 */
(function () {
  "use strict"

  var script = document.currentScript
  var root = new URL("../../", script.src) // assets/showcase/search.js → the site's root
  var PAGE = 10 // results shown at a time: each needs its own small download
  var RUN = /[\p{L}\p{N}]+/gu
  var FIELD_END = "¶"
  var EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu

  /* What the visitor asked for: the query's space-separated terms, lower case as the index,
     without punctuation around them (“集体经济” → 集体经济; 载体37-1 keeps its hyphen). */
  function terms(query) {
    return query
      .toLowerCase()
      .split(/\s+/)
      .map(function (t) {
        return t.replace(EDGE, "")
      })
      .filter(Boolean)
  }

  /* A term's runs of letters and digits: the words the index holds (载体37-1 → 载体37, 1). */
  function words(term) {
    return term.match(RUN) || []
  }

  /* Every word of the query, all terms together. */
  function queryWords(query) {
    return [].concat.apply([], terms(query).map(words))
  }

  /* A character as four base-36 digits, as search.py's code(). */
  function code(c) {
    return ("0000" + c.codePointAt(0).toString(36)).slice(-4)
  }

  /* A word as the index holds it: the phrase of its overlapping pairs of characters. */
  function pairs(word) {
    var cs = Array.from(word).map(code)
    var out = []
    for (var i = 0; i + 1 < cs.length; i++) out.push(cs[i] + cs[i + 1])
    return out.join(" ")
  }

  function char(digits) {
    return String.fromCodePoint(parseInt(digits, 36))
  }

  /* A record's text back from its pairs: its fields, in order (see search.py's pairs()). */
  function unpair(content) {
    var fields = [""]
    var open = false // inside a run of pairs
    var afterRun = false // the last word ended a run: a space stood here
    content.split(" ").forEach(function (w) {
      if (!w) return
      if (w === FIELD_END) {
        fields.push("")
        open = afterRun = false
      } else if (!/^[0-9a-z]+$/.test(w)) {
        fields[fields.length - 1] += w // punctuation, kept as written
        open = afterRun = false
      } else if (open) {
        if (w.length === 8) fields[fields.length - 1] += char(w.slice(4))
        else open = !(afterRun = true) // the run's last character, alone: the run ends
      } else {
        fields[fields.length - 1] +=
          (afterRun ? " " : "") + char(w.slice(0, 4)) + (w.length === 8 ? char(w.slice(4)) : "")
        open = w.length === 8
        afterRun = !open
      }
    })
    return fields
  }

  var pagefind = null
  function engine() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
        return pf
          .options({ baseUrl: root.pathname, excerptLength: 0 })
          .then(function () {
            // Its worker, wasm and index list load now, while the visitor is still typing.
            return pf.init()
          })
          .then(function () {
            return pf
          })
      })
    }
    return pagefind
  }

  /* Every branch whose text contains each term: ids in order of where the first word first
     appears (brand and branch names come first in a record, then the summary, then the rest).
     Each word is an exact phrase of pairs; a term with punctuation inside (载体37-1) is then
     checked whole in the text of the branches that have all its words. */
  function find(query) {
    var asked = terms(query)
    var all = queryWords(query)
    if (!all.length) return Promise.resolve([])
    return engine()
      .then(function (pf) {
        return Promise.all(
          all.map(function (w) {
            var q = Array.from(w).length === 1 ? code(w) : '"' + pairs(w) + '"'
            return pf.search(q).then(function (r) {
              return r.results
            })
          })
        )
      })
      .then(function (lists) {
        var first = lists[0].slice().sort(function (a, b) {
          return Math.min.apply(null, a.words) - Math.min.apply(null, b.words)
        })
        var rest = lists.slice(1).map(function (l) {
          return new Set(
            l.map(function (r) {
              return r.id
            })
          )
        })
        var found = first.filter(function (r) {
          return rest.every(function (ids) {
            return ids.has(r.id)
          })
        })
        var joined = asked.filter(function (t) {
          return t !== words(t).join("")
        })
        if (!joined.length) return found
        return Promise.all(
          found.map(function (r) {
            return r.data()
          })
        ).then(function (data) {
          return found.filter(function (r, i) {
            var text = unpair(data[i].content).join("\n").toLowerCase()
            return joined.every(function (t) {
              return text.indexOf(t) >= 0
            })
          })
        })
      })
  }

  function escape(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";"
    })
  }

  /* ``text`` with each word marked; words are matched ignoring case, as the index does. */
  function mark(text, asked) {
    var lower = text.toLowerCase()
    var spans = []
    asked.forEach(function (w) {
      for (var at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + w.length)) {
        spans.push([at, at + w.length])
      }
    })
    spans.sort(function (a, b) {
      return a[0] - b[0] || b[1] - a[1]
    })
    var out = ""
    var pos = 0
    spans.forEach(function (s) {
      if (s[0] < pos) return // inside a longer mark
      out += escape(text.slice(pos, s[0])) + "<mark>" + escape(text.slice(s[0], s[1])) + "</mark>"
      pos = s[1]
    })
    return out + escape(text.slice(pos))
  }

  /* Some 80 characters of the record around the first word, the words marked: from a
     paragraph when one has it (the brand and branch names are in the title already). */
  function snippet(fields, asked) {
    var hits = fields.filter(function (f) {
      var lower = f.toLowerCase()
      return asked.some(function (w) {
        return lower.indexOf(w) >= 0
      })
    })
    function prose(f) {
      return f.length > 40
    }
    var text = hits.filter(prose)[0] || hits[0] || fields.filter(prose)[0] || fields[0]
    var lower = text.toLowerCase()
    var at = -1
    asked.forEach(function (w) {
      var i = lower.indexOf(w)
      if (i >= 0 && (at < 0 || i < at)) at = i
    })
    var start = Math.max(0, at - 20)
    while (start < at && /[\p{P}\s]/u.test(text[start])) start++ // not from a comma
    var end = Math.min(text.length, start + 80)
    return (start > 0 ? "…" : "") + mark(text.slice(start, end), asked) + (end < text.length ? "…" : "")
  }

  function link(url, query) {
    var u = new URL(url, location.href)
    u.searchParams.set("h", query)
    return u.pathname + u.search
  }

  /* The header's box: results as the theme draws them. */
  function mount(box) {
    var toggle = document.getElementById("__search")
    var form = box.querySelector("form")
    var input = box.querySelector(".md-search__input")
    var result = box.querySelector(".md-search-result")
    var meta = box.querySelector(".md-search-result__meta")
    var list = box.querySelector(".md-search-result__list")
    var more = box.querySelector(".sc-search__more")
    var found = []
    var shown = 0
    var current = ""
    var timer = 0

    function open(on) {
      if (toggle && toggle.checked !== on) {
        toggle.checked = on
        toggle.dispatchEvent(new Event("change"))
      }
    }

    function item(r, asked) {
      var li = document.createElement("li")
      li.className = "md-search-result__item"
      li.innerHTML =
        '<a class="md-search-result__link" href="' +
        escape(link(r.url, current)) +
        '"><article class="md-search-result__article md-typeset">' +
        '<div class="md-search-result__icon md-icon"></div>' +
        "<h1>" + mark(r.meta.title || "", asked) + "</h1>" +
        '<p class="sc-search__where">' + mark(r.meta.subtitle || "", asked) + "</p>" +
        "<p>" + snippet(unpair(r.content), asked) + "</p></article></a>"
      return li
    }

    function showMore(query) {
      var asked = terms(query)
      var batch = found.slice(shown, shown + PAGE)
      shown += batch.length
      more.hidden = true
      return Promise.all(
        batch.map(function (r) {
          return r.data()
        })
      ).then(function (data) {
        if (query !== current) return
        data.forEach(function (d) {
          list.appendChild(item(d, asked))
        })
        more.hidden = shown >= found.length
      })
    }

    function run(query) {
      current = query
      result.removeAttribute("data-sc-state")
      if (!queryWords(query).length) {
        found = []
        list.textContent = ""
        more.hidden = true
        meta.textContent = "输入词语，查找支部品牌"
        return
      }
      meta.textContent = "正在查找…"
      find(query)
        .then(function (results) {
          if (query !== current) return
          found = results
          shown = 0
          list.textContent = ""
          meta.textContent = results.length
            ? "找到 " + results.length + " 个支部"
            : "没有找到含有“" + query.trim() + "”的支部"
          return showMore(query)
        })
        .then(function () {
          if (query !== current) return
          result.setAttribute("data-sc-query", query)
          result.setAttribute("data-sc-state", "done")
        })
        .catch(function () {
          if (query === current) meta.textContent = "搜索暂时无法使用，请稍后再试"
        })
    }

    input.addEventListener("focus", function () {
      open(true)
      engine() // start loading while the visitor types
    })
    input.addEventListener("input", function () {
      clearTimeout(timer)
      var query = input.value
      // An input method hands over a whole word at once; typing letters gives one event each.
      timer = setTimeout(function () {
        run(query)
      }, 60)
    })
    form.addEventListener("submit", function (e) {
      e.preventDefault()
      var first = list.querySelector("a")
      if (first && input.value === current) location.href = first.href
    })
    form.addEventListener("reset", function () {
      setTimeout(function () {
        run("")
        input.focus()
      })
    })
    more.addEventListener("click", function () {
      showMore(current)
    })
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (toggle.checked) input.focus()
        else input.blur()
      })
    }
    // Arrow keys walk from the box through the results and back, as in the theme's own search.
    box.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return
      var links = Array.from(list.querySelectorAll("a"))
      var at = links.indexOf(document.activeElement)
      if (!links.length || (at < 0 && e.target !== input)) return
      e.preventDefault()
      var next = at + (e.key === "ArrowDown" ? 1 : -1)
      if (next < 0) input.focus()
      else links[Math.min(next, links.length - 1)].focus()
    })
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && toggle && toggle.checked) {
        open(false)
      } else if (e.key === "/" && document.activeElement === document.body) {
        e.preventDefault()
        open(true)
      }
    })

    // ?q=词: open with a query (the 404 page's box, a form sent without this script)
    var q = new URLSearchParams(location.search).get("q")
    if (q) {
      input.value = q
      open(true)
      run(q)
    }
  }

  /* The opened page: mark the words of ?h= in its text, whole, and show the first. */
  function highlight() {
    var query = new URLSearchParams(location.search).get("h")
    var article = document.querySelector(".md-content article")
    var asked = query ? terms(query) : []
    if (!article || !asked.length) return
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT)
    var nodes = []
    while (walker.nextNode()) nodes.push(walker.currentNode)
    var first = null
    nodes.forEach(function (node) {
      if (node.parentElement.closest("script, style, svg")) return
      var html = mark(node.data, asked)
      if (html.indexOf("<mark>") < 0) return
      var span = document.createElement("span")
      span.innerHTML = html.replace(/<mark>/g, "<mark data-sc-highlight>")
      first = first || span.querySelector("mark")
      node.replaceWith.apply(node, Array.from(span.childNodes))
    })
    if (first) first.scrollIntoView({ block: "center" })
  }

  var box = document.querySelector(".sc-search")
  if (box) mount(box)
  highlight()

  // For scripts and tests: every branch page whose text contains the query (downloads them all).
  window.showcaseSearch = function (query) {
    return find(query).then(function (results) {
      return Promise.all(
        results.map(function (r) {
          return r.data()
        })
      ).then(function (data) {
        return {
          count: results.length,
          urls: data.map(function (d) {
            return new URL(d.url, location.href).pathname
          }),
        }
      })
    })
  }
})()
