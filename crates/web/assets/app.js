// fupin pages: small progressive enhancements. Every page works without this script (charts
// excepted): it draws the board's charts, offers full screen, scales photos down before upload and
// shows the progress of an import upload. Nothing here loads anything from another host.
(function () {
  'use strict';

  function $(sel, root) { return (root || document).querySelector(sel); }
  function csrfToken() {
    var m = $('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  }
  var zh = document.body ? document.body.getAttribute('data-lang') !== 'en' : true;
  function t(a, b) { return zh ? a : b; }

  // ---- full screen ---------------------------------------------------------------------------
  function setupFullscreen() {
    var btn = $('[data-fullscreen]');
    if (!btn || !document.fullscreenEnabled) return;
    var offLabel = btn.textContent;
    var onLabel = btn.getAttribute('data-label-on') || offLabel;
    btn.hidden = false;
    btn.addEventListener('click', function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen().catch(function () {});
      }
    });
    document.addEventListener('fullscreenchange', function () {
      btn.textContent = document.fullscreenElement ? onLabel : offLabel;
      document.body.classList.toggle('big', !!document.fullscreenElement || /[?&]screen=big/.test(location.search));
      resizeCharts();
    });
  }

  // ---- the board's charts ----------------------------------------------------------------------
  var charts = [];
  function resizeCharts() { charts.forEach(function (c) { c.resize(); }); }

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    el.textContent = '';
    var dark = document.body.classList.contains('big');
    var c = window.echarts.init(el, dark ? 'dark' : null, { renderer: 'canvas' });
    charts.push(c);
    return c;
  }

  var palette = ['#c0392b', '#1f4e79', '#2e8b57', '#d68910', '#7d3c98', '#148f77', '#566573', '#a04000'];

  function drawBoard() {
    var block = document.getElementById('board-data');
    if (!block || !window.echarts) return;
    var d;
    try { d = JSON.parse(block.textContent); } catch (e) { return; }
    var dark = document.body.classList.contains('big');
    var base = { color: palette, backgroundColor: 'transparent', textStyle: { fontFamily: 'inherit' } };
    function opts(o) { return Object.assign({}, base, o); }
    var years = d.years.map(String);

    var c = chart('chart-status');
    if (c) {
      var series = d.statuses
        .filter(function (s) { return s.values.some(function (v) { return v > 0; }); })
        .map(function (s) { return { name: s.name, type: 'bar', stack: 'all', data: s.values, emphasis: { focus: 'series' } }; });
      c.setOption(opts({
        tooltip: { trigger: 'axis' },
        legend: { bottom: 0 },
        grid: { left: 40, right: 16, top: 16, bottom: 48 },
        xAxis: { type: 'category', data: years },
        yAxis: { type: 'value', minInterval: 1 },
        series: series
      }));
    }

    c = chart('chart-income');
    if (c) {
      c.setOption(opts({
        tooltip: { trigger: 'axis', formatter: function (ps) {
          var p = ps[0];
          var v = p.value == null ? '—' : Number(p.value).toFixed(2);
          return p.name + '<br>' + v + '<br>' + (d.coverage ? d.coverage[p.dataIndex] + ' ' + d.labels.coverage : '');
        } },
        grid: { left: 56, right: 16, top: 24, bottom: 32 },
        xAxis: { type: 'category', data: years.map(function (y, i) {
          return d.income_partial && d.income_partial[i] ? y + d.labels.partial : y;
        }) },
        yAxis: { type: 'value' },
        series: [{ name: d.labels.income, type: 'line', connectNulls: true, smooth: false,
                   // a year whose income records are partial: a hollow grey point, its coverage in the tooltip
                   data: d.income.map(function (v, i) {
                     var partial = d.income_partial && d.income_partial[i];
                     return partial ? { value: v, symbol: 'emptyCircle', symbolSize: 9, itemStyle: { color: '#999' } } : v;
                   }),
                   label: { show: true, formatter: function (p) { return p.value == null ? '' : Math.round(p.value); } },
                   areaStyle: { opacity: 0.12 } }]
      }));
    }

    c = chart('chart-causes');
    if (c) {
      c.setOption(opts({
        tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
        legend: { bottom: 0, type: 'scroll' },
        series: [{ type: 'pie', radius: ['38%', '66%'], center: ['50%', '44%'],
                   data: d.causes.length ? d.causes : [{ name: d.labels.none, value: 0 }],
                   label: { formatter: '{b} {c}' } }]
      }));
    }

    c = chart('chart-employment');
    if (c && d.employment) {
      var any = d.employment.some(function (x) { return x.value > 0; });
      c.setOption(opts({
        tooltip: { trigger: 'item', formatter: function (p) {
          return p.name + ': ' + p.value + ' (' + p.percent + '%)' +
            (p.data && p.data.registered != null ? ' / ' + p.data.registered : '');
        } },
        legend: { bottom: 0 },
        series: [{ type: 'pie', radius: ['38%', '66%'], center: ['50%', '44%'],
                   data: any ? d.employment : [{ name: d.labels.none, value: 0 }],
                   label: { formatter: '{b} {c}' } }]
      }));
    }

    c = chart('chart-funds-source');
    if (c && d.funds) {
      var src = d.funds.sources;
      c.setOption(opts({
        tooltip: { trigger: 'item', formatter: function (p) {
          return p.name + ': ' + p.value + ' (' + p.percent + '%)';
        } },
        legend: { bottom: 0 },
        series: [{ type: 'pie', radius: ['38%', '66%'], center: ['50%', '44%'],
                   data: src.length ? src : [{ name: d.labels.none, value: 0 }],
                   label: { formatter: '{b} {c}' } }]
      }));
    }

    c = chart('chart-disbursement');
    if (c && d.funds) {
      var rows = d.funds.progress.slice().reverse();
      c.setOption(opts({
        tooltip: { trigger: 'axis', formatter: function (ps) {
          var r = rows[ps[0].dataIndex];
          return r.name + ': ' + (r.rate == null ? '—' : r.rate + '%') + ' (' + r.disbursed + ' / ' + r.allocated + ')';
        } },
        grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
        xAxis: { type: 'value', max: 100 },
        yAxis: { type: 'category', data: rows.map(function (r) { return r.name; }) },
        series: [{ type: 'bar', data: rows.map(function (r) {
                     var v = r.rate;
                     var color = v == null ? '#9aa5b1' : v >= 90 ? '#1a7a36' : v >= 60 ? '#c98a00' : '#b42318';
                     return { value: v, itemStyle: { color: color } };
                   }),
                   label: { show: true, position: 'right', formatter: function (p) { return p.value == null ? '—' : p.value + '%'; } } }]
      }));
    }

    c = chart('chart-compliance');
    if (c) {
      var kids = d.children.slice().reverse();
      c.setOption(opts({
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return v == null ? '—' : v + '%'; } },
        grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
        xAxis: { type: 'value', max: 100 },
        yAxis: { type: 'category', data: kids.map(function (k) { return k.name; }), axisLabel: { width: 110, overflow: 'truncate' } },
        series: [{ name: d.labels.compliance, type: 'bar',
                   data: kids.map(function (k) {
                     var v = k.compliance;
                     var color = v == null ? '#9aa5b1' : v >= 90 ? '#1a7a36' : v >= 60 ? '#c98a00' : '#b42318';
                     return { value: v, itemStyle: { color: color } };
                   }),
                   label: { show: true, position: 'right', formatter: function (p) { return p.value == null ? '—' : p.value + '%'; } } }]
      }));
      var el = document.getElementById('chart-compliance');
      if (el && kids.length > 8) { el.style.height = (kids.length * 26 + 40) + 'px'; c.resize(); }
    }

    if (d.map) {
      fetch(d.map, { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (geo) {
          if (!geo) return;
          var m = chart('chart-map');
          if (!m) return;
          var name = 'fupin-' + d.map;
          window.echarts.registerMap(name, geo);
          var byCode = {};
          d.children.forEach(function (k) { byCode[k.code] = k; });
          m.setOption(opts({
            tooltip: { trigger: 'item', formatter: function (p) {
              var k = byCode[p.name];
              return (k ? k.name : p.name) + '<br>' + d.labels.exit_rate + ': ' + (k && k.exit_rate != null ? k.exit_rate + '%' : '—');
            } },
            visualMap: { min: 0, max: 100, left: 8, bottom: 8, text: ['100%', '0%'], calculable: false,
                         inRange: { color: ['#f6d5d1', '#f2c04d', '#2e8b57'] }, textStyle: { color: dark ? '#e8eef6' : '#1b2430' } },
            series: [{ type: 'map', map: name, nameProperty: 'code', roam: false,
                       label: { show: true, formatter: function (p) { var k = byCode[p.name]; return k ? k.name : ''; } },
                       data: d.children.map(function (k) { return { name: k.code, value: k.exit_rate }; }) }]
          }));
          m.on('click', function (p) {
            var row = document.querySelector('tr[data-code="' + p.name + '"] a');
            if (row) location.href = row.getAttribute('href');
          });
        })
        .catch(function () {});
    }
    window.addEventListener('resize', resizeCharts);
  }

  // ---- photos: scale down before upload --------------------------------------------------------
  function setupDownscale() {
    var inputs = document.querySelectorAll('input[type=file][data-downscale]');
    Array.prototype.forEach.call(inputs, function (input) {
      var max = parseInt(input.getAttribute('data-downscale'), 10) || 1600;
      var status = document.getElementById('photo-status');
      var form = input.form;
      var submit = form ? form.querySelector('button[type=submit]') : null;
      input.addEventListener('change', function () {
        var file = input.files && input.files[0];
        if (!file || !/^image\//.test(file.type) || typeof DataTransfer === 'undefined' || !window.createImageBitmap) return;
        if (submit) submit.disabled = true;
        if (status) status.textContent = t('正在压缩照片…', 'Scaling the photo down…');
        createImageBitmap(file).then(function (img) {
          var scale = Math.min(1, max / Math.max(img.width, img.height));
          if (scale === 1 && file.size <= 600 * 1024 && /jpe?g|png/.test(file.type)) {
            if (status) status.textContent = t('照片无需压缩', 'The photo is small enough');
            return null;
          }
          var canvas = document.createElement('canvas');
          canvas.width = Math.round(img.width * scale);
          canvas.height = Math.round(img.height * scale);
          canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
          return new Promise(function (resolve) { canvas.toBlob(resolve, 'image/jpeg', 0.82); });
        }).then(function (blob) {
          if (!blob) return;
          var name = (file.name || 'photo').replace(/\.[^.]*$/, '') + '.jpg';
          var dt = new DataTransfer();
          dt.items.add(new File([blob], name, { type: 'image/jpeg' }));
          input.files = dt.files;
          if (status) {
            status.textContent = t('已压缩：', 'Scaled down: ') + Math.round(file.size / 1024) + ' KB → ' + Math.round(blob.size / 1024) + ' KB';
          }
        }).catch(function () {
          if (status) status.textContent = '';
        }).then(function () {
          if (submit) submit.disabled = false;
        });
      });
    });
  }

  // ---- import: upload with progress --------------------------------------------------------------
  function setupImport() {
    var form = document.getElementById('import-form');
    if (!form || !window.FormData || !window.XMLHttpRequest) return;
    form.addEventListener('submit', function (e) {
      if (!form.checkValidity()) return;
      e.preventDefault();
      var bar = document.getElementById('import-progress');
      var out = document.getElementById('import-status');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.getAttribute('action'));
      xhr.setRequestHeader('X-CSRF-Token', csrfToken());
      if (bar) { bar.hidden = false; bar.value = 0; }
      xhr.upload.addEventListener('progress', function (ev) {
        if (ev.lengthComputable && bar) {
          bar.value = Math.round(ev.loaded * 100 / ev.total);
          bar.textContent = bar.value + '%';
        }
        if (out) out.textContent = t('正在上传… ', 'Uploading… ') + (bar ? bar.value + '%' : '');
      });
      xhr.upload.addEventListener('load', function () {
        if (out) out.textContent = t('已上传，正在检查和导入…', 'Uploaded; checking and importing…');
      });
      xhr.addEventListener('load', function () {
        // a started import answers with its job's page: go there (its address can be bookmarked)
        if (xhr.status < 400 && xhr.responseURL && xhr.responseURL.indexOf('/jobs/') >= 0) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener('error', function () {
        if (out) out.textContent = t('上传失败，请重试', 'The upload failed; try again');
      });
      xhr.send(new FormData(form));
    });
  }

  // ---- the region picker ----------------------------------------------------------------------
  // An input marked data-region-picker keeps the 12-digit code (what is posted, and what can still
  // be typed); beside it a chain of drop-downs (province → city → county → township → village),
  // each filled with the children of the one before when it is chosen — never a whole level of the
  // country at once — and a search by name. The server lists only the regions within the viewer's
  // reach or on the way to them. An input marked data-region-picker="national" (a place anywhere in
  // the country: an employer's region) reads the national division list instead, down to the
  // county (/api/v1/divisions, public to the signed-in), and its search takes a code's first digits
  // as well as a name; its code may be typed as a 2, 4, 6 or 9-digit prefix too.
  var levelNames = {
    province: ['省', 'Province'], city: ['市', 'City'], county: ['县（市、区）', 'County'],
    township: ['乡镇', 'Township'], village: ['村', 'Village']
  };
  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); });
  }
  function setupRegionPickers() {
    var inputs = document.querySelectorAll('input[data-region-picker]');
    Array.prototype.forEach.call(inputs, function (input) {
      var national = input.getAttribute('data-region-picker') === 'national';
      var api = national ? '/api/v1/divisions' : '/api/v1/regions';
      // the 12-digit code of what is typed, or null (a national input takes a prefix as well)
      function full(code) {
        if (/^\d{12}$/.test(code)) return code;
        if (national && /^(\d{2}|\d{4}|\d{6}|\d{9})$/.test(code)) return (code + '000000000000').slice(0, 12);
        return null;
      }
      var box = document.createElement('div');
      box.className = 'region-picker';
      box.setAttribute('role', 'group');
      box.setAttribute('aria-label', t('按区划选择', 'Choose a region'));
      var chain = document.createElement('div');
      chain.className = 'region-chain';
      box.appendChild(chain);
      var search = document.createElement('input');
      search.type = 'search';
      search.className = 'region-search';
      search.setAttribute('aria-label', t('按名称查找区划', 'Find a region by name'));
      search.placeholder = input.getAttribute('data-picker-search') || t('按名称查找，如“塔岗”', 'Find by name');
      search.autocomplete = 'off';
      box.appendChild(search);
      var found = document.createElement('ul');
      found.className = 'region-found';
      found.hidden = true;
      box.appendChild(found);
      input.parentNode.insertBefore(box, input.nextSibling);

      // selects[i] holds the children of the region chosen in selects[i-1] (of the top for i = 0)
      var selects = [];
      var generation = 0;
      function cut(from) {
        while (selects.length > from) chain.removeChild(selects.pop().wrap);
      }
      // Add the drop-down of `parent`'s children (the top level when null), `chosen` selected.
      function level(index, parent, chosen) {
        var gen = generation;
        var url = parent ? api + '?parent=' + parent : api;
        return getJSON(url).then(function (kids) {
          if (gen !== generation) return null;
          cut(index);
          if (!kids.length) return null;
          var wrap = document.createElement('label');
          wrap.className = 'region-level';
          var names = levelNames[kids[0].level] || [kids[0].level, kids[0].level];
          var caption = document.createElement('span');
          caption.textContent = t(names[0], names[1]);
          var sel = document.createElement('select');
          sel.setAttribute('data-level', kids[0].level);
          var all = document.createElement('option');
          all.value = '';
          all.textContent = parent ? t('（全部）', '(all)') : '—';
          sel.appendChild(all);
          kids.forEach(function (k) {
            var o = document.createElement('option');
            o.value = k.code;
            o.textContent = k.name;
            if (k.code === chosen) o.selected = true;
            sel.appendChild(o);
          });
          wrap.appendChild(caption);
          wrap.appendChild(sel);
          chain.appendChild(wrap);
          var entry = { wrap: wrap, select: sel, parent: parent };
          selects.push(entry);
          sel.addEventListener('change', function () {
            generation++;
            if (sel.value) {
              input.value = sel.value;
              level(index + 1, sel.value, null);
            } else {
              input.value = parent || '';
              cut(index + 1);
            }
            input.dispatchEvent(new Event('change', { bubbles: true }));
          });
          return entry;
        });
      }
      // The chain down to `code` (its path from the province), or the top level alone.
      function show(code) {
        generation++;
        var gen = generation;
        code = full(code);
        if (!code) { cut(0); return level(0, null, null); }
        // the national list goes down to the county: a township's or village's chain ends there
        if (national) code = code.slice(0, 6) + '000000';
        return getJSON(api + '/' + code).then(function (r) {
          if (gen !== generation) return;
          var path = r.path || [];
          var step = Promise.resolve();
          path.forEach(function (p, i) {
            step = step.then(function () { return level(i, i ? path[i - 1].code : null, p.code); });
          });
          return step.then(function () {
            if (gen === generation) return level(path.length, code, null);
          });
        }).catch(function () { cut(0); level(0, null, null); });
      }
      show(input.value.trim());
      input.addEventListener('change', function (e) {
        if (e.isTrusted && full(input.value.trim())) show(input.value.trim());
      });

      var timer = null;
      search.addEventListener('input', function () {
        clearTimeout(timer);
        var q = search.value.trim();
        if (!q) { found.hidden = true; found.textContent = ''; return; }
        timer = setTimeout(function () {
          getJSON(api + '/search?limit=10&q=' + encodeURIComponent(q)).then(function (list) {
            if (search.value.trim() !== q) return;
            found.textContent = '';
            if (!list.length) {
              var li = document.createElement('li');
              li.textContent = t('没有找到', 'Nothing found');
              found.appendChild(li);
            }
            list.forEach(function (r) {
              var li = document.createElement('li');
              var b = document.createElement('button');
              b.type = 'button';
              b.className = 'link';
              b.setAttribute('data-code', r.code);
              b.textContent = r.full_name;
              b.addEventListener('click', function () {
                input.value = r.code;
                found.hidden = true;
                search.value = '';
                show(r.code);
                input.dispatchEvent(new Event('change', { bubbles: true }));
              });
              li.appendChild(b);
              found.appendChild(li);
            });
            found.hidden = false;
          }).catch(function () {});
        }, 250);
      });
    });
  }

  // ---- choosing a cadre among many: search as you type ---------------------------------------
  // Beyond what a drop-down holds, the pairing page offers a search by name (a GET form that works
  // without this script); typing fills the cadre drop-downs with the cadres found.
  function setupCadreSearch() {
    var input = document.querySelector('input[data-cadre-search]');
    if (!input) return;
    var status = document.getElementById('cadre-search-status');
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) return;
      timer = setTimeout(function () {
        getJSON('/api/v1/cadres?per_page=50&q=' + encodeURIComponent(q)).then(function (page) {
          if (input.value.trim() !== q) return;
          var selects = document.querySelectorAll('select[name=cadre_id], select[name=replacement_cadre_id]');
          Array.prototype.forEach.call(selects, function (sel) {
            var chosen = sel.value;
            while (sel.options.length > 1) sel.remove(1);
            page.items.forEach(function (c) {
              var o = document.createElement('option');
              o.value = String(c.id);
              o.textContent = c.name + ' · ' + c.unit_name;
              if (o.value === chosen) o.selected = true;
              sel.appendChild(o);
            });
          });
          if (status) {
            status.textContent = t('找到 ' + page.items.length + ' 名姓名以“' + q + '”开头的干部', page.items.length + ' cadres whose name starts with “' + q + '”') +
              (page.next ? t('（只列前 50 名，请输入更完整的姓名）', ' (the first 50; type more of the name)') : '');
          }
        }).catch(function () {});
      }, 250);
    });
  }

  // ---- forms: bring the error into view ---------------------------------------------------------
  function focusErrors() {
    var e = document.getElementById('form-error');
    if (e) e.focus();
  }

  // ---- printable notices: the print button ------------------------------------------------------
  function setupPrint() {
    var b = document.querySelector('[data-print]');
    if (b) b.addEventListener('click', function () { window.print(); });
  }

  function init() {
    setupPrint();
    setupFullscreen();
    drawBoard();
    setupDownscale();
    setupImport();
    setupRegionPickers();
    setupCadreSearch();
    focusErrors();
  }
  // Deferred scripts run before DOMContentLoaded, in order; waiting for it lets ECharts (loaded after
  // this script on the board) arrive first.
  if (document.readyState === 'complete') {
    init();
  } else {
    document.addEventListener('DOMContentLoaded', init);
  }
})();

// The measure form: show the fields of the chosen kind's form only (all are posted; the server
// reads the kind's own). Without JavaScript the page shows the kind's fields after it is posted.
(function () {
  var kind = document.querySelector('[data-measure-kind]');
  if (!kind) return;
  function show() {
    var opt = kind.options[kind.selectedIndex];
    var form = opt ? opt.getAttribute('data-form') : '';
    document.querySelectorAll('fieldset.measure-form').forEach(function (f) {
      f.hidden = f.getAttribute('data-form') !== form;
    });
  }
  kind.addEventListener('change', show);
  show();
})();

// The income form: the derived figures (gross, net, per capita, against the poverty line) follow
// what is typed, computed in fen as the server does (which computes them again on saving). An
// amount that cannot be read counts as nothing here; the server names it beside its input.
(function () {
  var form = document.getElementById('income-form');
  if (!form) return;
  var persons = parseInt(form.getAttribute('data-persons'), 10) || 0;
  var line = form.getAttribute('data-line');
  line = line === null ? null : parseInt(line, 10);
  var zh = document.body.getAttribute('data-lang') !== 'en';
  function fen(name) {
    var el = form.elements[name];
    if (!el) return 0;
    var t = el.value.replace(/[,，\s]/g, '');
    if (!/^-?\d+(\.\d{0,2})?$/.test(t)) return 0;
    var neg = t.charAt(0) === '-';
    if (neg) t = t.slice(1);
    var parts = t.split('.');
    var f = parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || '') + '00').slice(0, 2), 10);
    return neg ? -f : f;
  }
  function yuan(f) {
    var neg = f < 0;
    f = Math.abs(f);
    var int = String(Math.floor(f / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    var s = int + '.' + String(f % 100).padStart(2, '0');
    return neg ? '-' + s : s;
  }
  // half away from zero, as Fen::div_round
  function divRound(n, d) {
    var q = Math.floor(Math.abs(n) * 2 / d);
    var r = Math.floor((q + 1) / 2);
    return n < 0 ? -r : r;
  }
  function set(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }
  function update() {
    var gross = fen('wage_fen') + fen('business_fen') + fen('property_fen') + fen('transfer_fen');
    var net = gross - fen('business_cost_fen');
    set('income-gross', yuan(gross));
    set('income-net', yuan(net));
    var per = persons > 0 ? divRound(net, persons) : null;
    set('income-per-capita', per === null ? '—' : yuan(per));
    var against = document.getElementById('income-against');
    if (against && line !== null) {
      against.textContent = '';
      if (per === null) { against.textContent = '—'; return; }
      var span = document.createElement('span');
      var above = per >= line;
      span.className = above ? 'good' : 'poor';
      span.textContent = above ? (zh ? '高于贫困线' : 'above the line') : (zh ? '低于贫困线' : 'below the line');
      against.appendChild(span);
    }
  }
  form.addEventListener('input', update);
  update();
})();
