/* showcase around Decap CMS: the preview pane shows the branch as the site does, and a panel
 * lists what `showcase check` says about the branch being edited, in the same words.
 * Plain ES5 on purpose: no build step, the file is read as it is shipped. */
(function () {
  'use strict';
  var S = window.SHOWCASE_EDITOR || {};
  var CMS = window.CMS;
  var h = window.h;
  var local = S.mode === 'local';

  // ------------------------------------------------------------------ builds of the preview
  // MkDocs' live preview answers /livereload/<epoch>/<id> when a newer build is visible (or
  // after a minute). Every finished build reloads the page preview and re-reads the problems.
  var buildListeners = [];
  var build = 0;

  function onBuild(fn) {
    buildListeners.push(fn);
    return function () {
      buildListeners = buildListeners.filter(function (f) { return f !== fn; });
    };
  }

  function watchBuilds() {
    if (!local || !S.livereload) return;
    var poll = function () {
      var req = new XMLHttpRequest();
      req.onloadend = function () {
        var epoch = parseFloat(this.responseText);
        if (this.status === 200 && epoch > build) {
          var first = build === 0;
          build = epoch;
          if (!first) buildListeners.slice().forEach(function (fn) { fn(build); });
        }
        setTimeout(poll, this.status === 200 ? 0 : 3000);
      };
      req.open('GET', S.livereload + (build || 0) + '/' + Date.now());
      req.send();
    };
    poll();
  }

  // ------------------------------------------------------------------ the preview pane
  function slugOf(entry) {
    var parts = String(entry.get('path') || '').split('/');
    return parts.length >= 2 && !entry.get('newRecord') ? parts[parts.length - 2] : '';
  }

  function text(value) {
    return value === undefined || value === null ? '' : String(value);
  }

  function paragraphs(value, key) {
    return text(value).split(/\n\s*\n/).filter(function (p) { return p.trim(); })
      .map(function (p, i) { return h('p', { key: key + i }, p.trim()); });
  }

  function filled(item) {
    if (item === undefined || item === null) return false;
    if (item.valueSeq) return item.valueSeq().some(filled);
    return String(item).trim() !== '' && item !== false;
  }

  function listOf(value) {
    return value && value.toArray ? value.toArray().filter(filled) : [];
  }

  function DraftView(props) {
    var data = props.entry.get('data');
    var getAsset = props.getAsset;
    var brand = data.get('brand');
    var get = function (k) { return brand ? brand.get(k) : undefined; };
    var photos = listOf(data.get('photos'));
    var cover = photos.filter(function (p) { return p.get('cover'); })[0] || photos[0];
    var image = function (file, alt, cls) {
      var asset = file ? getAsset(file) : null;
      return asset ? h('img', { src: asset.toString(), alt: alt, className: cls }) : null;
    };
    var parts = (S.parts || []).map(function (part) {
      var key = part[0];
      var value = get(key);
      var body;
      if (value && value.toArray) {
        if (!listOf(value).length) return null;
        body = h('ol', null, listOf(value).map(function (item, i) {
          if (!item || !item.get) return h('li', { key: i }, text(item));
          var title = item.get('name') || item.get('title');
          return h('li', { key: i }, h('strong', null, text(title)),
            h('div', null, text(item.get('description') || item.get('text'))));
        }));
      } else {
        body = paragraphs(value, key);
      }
      if (!text(value).trim()) return null;
      return h('section', { key: key }, h('h3', null, part[1]), body);
    });
    return h('article', { className: 'sc-draft' },
      cover ? image(cover.get('file'), text(cover.get('caption')), 'sc-cover') : null,
      h('p', { className: 'sc-meta' }, [data.get('town'), data.get('field')].filter(Boolean)
        .join(' · ')),
      h('h1', null, text(data.get('name')) || '（未填写名称）'),
      h('h2', { className: 'sc-brand' }, text(get('name')) || '（未填写品牌名称）'),
      get('slogan') ? h('p', { className: 'sc-slogan' }, text(get('slogan'))) : null,
      h('div', { className: 'sc-summary' }, paragraphs(get('summary'), 's')),
      parts,
      photos.length ? h('section', null, h('h3', null, '照片'),
        h('div', { className: 'sc-photos' }, photos.map(function (p, i) {
          return h('figure', { key: i }, image(p.get('file'), text(p.get('caption'))),
            h('figcaption', null, text(p.get('caption')) + (p.get('cover') ? '（封面）' : '')));
        }))) : null);
  }

  var Preview = window.createClass({
    getInitialState: function () { return { build: build }; },
    componentDidMount: function () {
      var self = this;
      this.stop = onBuild(function (b) { self.setState({ build: b }); });
    },
    componentWillUnmount: function () { if (this.stop) this.stop(); },
    render: function () {
      var slug = slugOf(this.props.entry);
      var page = slug && S.site ? S.site + S.branches + '/' + slug + '/' : '';
      var bar = h('div', { className: 'sc-bar' },
        h('span', null, local && page ? '站点上的样子（保存后自动更新）'
          : local ? '保存后这里显示站点上的样子；下面是草稿'
            : '草稿预览；发布后的样子见站点'),
        page ? h('a', { href: page, target: '_blank', rel: 'noopener' }, '在新窗口打开') : null);
      if (local && page) {
        return h('div', { className: 'sc-preview' }, bar,
          h('iframe', { className: 'sc-page', title: '站点上的支部页', key: this.state.build,
            src: page + '?build=' + this.state.build }));
      }
      return h('div', { className: 'sc-preview' }, bar, h(DraftView, this.props));
    }
  });

  // ------------------------------------------------------------------ problems panel
  // The problems of `showcase check` for the branch in the editor: after opening it, after
  // each save (the answer to the save), and after each build of the preview.
  var panel = document.createElement('aside');
  panel.className = 'sc-problems';
  panel.setAttribute('aria-live', 'polite');
  panel.hidden = true;
  var current = '';

  function api(action, params) {
    return fetch(S.api, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: action, params: params })
    }).then(function (r) { return r.json(); });
  }

  function routeSlug() {
    var m = /#\/collections\/[^/]+\/entries\/([a-z0-9][a-z0-9-]*)\//.exec(location.hash);
    return m ? m[1] : '';
  }

  function show(problems, refused) {
    panel.textContent = '';
    var errors = problems.filter(function (p) { return p.error; }).length;
    var warnings = problems.length - errors;
    var head = document.createElement('button');
    head.type = 'button';
    head.className = 'sc-head';
    var bad = errors || refused;
    panel.className = 'sc-problems ' + (bad ? 'sc-bad' : warnings ? 'sc-warn' : 'sc-good');
    head.textContent = refused ? refused
      : errors ? '检查发现 ' + errors + ' 个错误' + (warnings ? '、' + warnings + ' 个警告' : '')
        + '：站点不会更新，请改正后再保存'
        : warnings ? '检查通过，有 ' + warnings + ' 个警告（不影响发布）'
          : '检查通过：没有问题';
    panel.appendChild(head);
    if (problems.length) {
      var list = document.createElement('ol');
      problems.forEach(function (p) {
        var li = document.createElement('li');
        li.className = p.error ? 'sc-error' : 'sc-warning';
        li.textContent = p.text;
        list.appendChild(li);
      });
      panel.appendChild(list);
      head.setAttribute('aria-expanded', 'true');
      head.onclick = function () {
        list.hidden = !list.hidden;
        head.setAttribute('aria-expanded', String(!list.hidden));
      };
    }
    panel.hidden = false;
  }

  function refresh() {
    var slug = routeSlug();
    current = slug;
    if (!slug) {
      panel.hidden = true;
      return;
    }
    api('problems', { slug: slug }).then(function (answer) {
      if (current === slug && answer.problems) show(answer.problems);
    }).catch(function () {});
  }

  function watchSaves() {
    // Decap sends every save to our API; its answer carries the check's words, shown here as
    // they are (Decap's own toast shows only the first line).
    var original = window.fetch;
    window.fetch = function (url, init) {
      var promise = original.apply(this, arguments);
      var body = init && typeof init.body === 'string' ? init.body : '';
      if (String(url).indexOf(S.api) === 0 && body.indexOf('"action":"persistEntry"') !== -1) {
        promise.then(function (response) {
          response.clone().json().then(function (answer) {
            if (answer.problems || answer.error) {
              show(answer.problems || [], response.ok ? '' : answer.error);
            }
          }).catch(function () {});
        }).catch(function () {
          show([], '没有保存：连不上预览程序。showcase serve 还开着吗？开着的话请刷新页面再保存');
        });
      }
      return promise;
    };
  }

  // ------------------------------------------------------------------ words
  // Decap's zh_Hans, with the words of this editor: in the live preview “发布” only saves
  // into the project folder, and a refused save is explained by the problems panel.
  function adjustLocale() {
    var zh = CMS.getLocale('zh_Hans');
    if (!zh) return;
    zh = JSON.parse(JSON.stringify(zh));
    zh.editor.editorControlPane.widget.regexPattern = '“%{fieldLabel}”%{pattern}';
    if (local) {
      var bar = zh.editor.editorToolbar;
      bar.publish = '保存';
      bar.publishing = '正在保存...';
      bar.published = '已保存';
      bar.publishNow = '立即保存';
      bar.deployButtonLabel = '查看页面';
      bar.publishAndCreateNew = '保存，然后新建支部';
      bar.publishAndDuplicate = '保存，然后复制一份';
      zh.editor.editor.onPublishing = '确定保存吗？';
      zh.ui.toast.entrySaved = '已保存：预览正在更新';
      zh.ui.toast.onFailToPersist = '没有保存，原因见页面最下方';
    }
    CMS.registerLocale('zh_Hans', zh);
  }

  // Decap asks one question in English; staff read Chinese.
  var confirm = window.confirm;
  window.confirm = function (message) {
    var m = /^(.*) already exists\. Do you want to replace it\?$/.exec(String(message));
    return confirm.call(window, m ? '已经有一张叫“' + m[1] + '”的照片，要用新选的替换它吗？' : message);
  };

  // ------------------------------------------------------------------ start
  adjustLocale();
  CMS.registerPreviewTemplate('branches', Preview);
  CMS.registerPreviewStyle(new URL('preview.css?v=' + (S.version || ''), location.href).href);
  if (local) {
    // The preview server is this computer: nobody to sign in as. Decap skips its sign-in page
    // for a user it has stored for the backend in use.
    try {
      if (!localStorage.getItem('decap-cms-user')) {
        localStorage.setItem('decap-cms-user', JSON.stringify({ backendName: 'proxy' }));
      }
    } catch (e) { /* private mode: Decap shows its one-button sign-in page instead */ }
    document.body.appendChild(panel);
    watchSaves();
    window.addEventListener('hashchange', refresh);
    onBuild(refresh);
    watchBuilds();
    refresh();
  }
  CMS.init();
}());
