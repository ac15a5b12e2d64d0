/*
 * 研判 (/console/analytics): volume with 同比/环比, its make-up by one dimension, the citizens answered
 * directly (knowledge base, agents) beside the orders dispatched, hot spots and the units'
 * evaluation, for supervisors and leaders. Every figure opens the orders behind it
 * (GET /console/api/analytics/orders), which carry no name, phone or address.
 *
 * Plain ES5, no build step; charts by ECharts (served from the gateway: /static/vendor). Charts
 * draw on a canvas and their tooltips in rich text (no HTML); everything else is put on the page
 * with textContent only.
 */
(function () {
  'use strict';

  var H = window.Hotline;
  var byId = H.byId, el = H.el, clear = H.clear, str = H.str, showStatus = H.showStatus;
  var API = H.API + '/analytics/';
  var TOP = 8; // groups drawn apart in the trend; the rest are 「其他」
  var COLORS = ['#0b4f9c', '#2f8f5b', '#d9822b', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#b7950b', '#5d6d7e'];
  var GROUP_NAMES = { district: '区县', street: '街道', topic: '主题大类', subtopic: '主题小类', unit: '承办单位', type: '诉求类型', channel: '渠道' };
  var CHANNEL_NAMES = { web: '网页', wechat: '微信', rest: '接口', phone: '电话', app: '手机应用' };
  var WARNINGS_EVERY_MS = 30000;
  var charts = {};
  var state = { query: null, summary: null, me: null, seen: {} };

  function china(date) {
    var d = new Date(date.getTime() + 8 * 3600 * 1000);
    return d.getUTCFullYear() + '-' + H.pad2(d.getUTCMonth() + 1) + '-' + H.pad2(d.getUTCDate());
  }

  function daysBefore(days) {
    var now = new Date();
    return [china(new Date(now.getTime() - (days - 1) * 86400 * 1000)), china(now)];
  }

  function percent(x) {
    return x === null || x === undefined ? '—' : (Math.round(x * 1000) / 10).toFixed(1) + '%';
  }

  function change(x) {
    if (x === null || x === undefined) {
      return '—';
    }
    var p = Math.round(x * 1000) / 10;
    return (p > 0 ? '↑' : p < 0 ? '↓' : '') + Math.abs(p).toFixed(1) + '%';
  }

  function label(group, value) {
    return group === 'channel' ? CHANNEL_NAMES[value] || value : value;
  }

  function qs(params) {
    var parts = [];
    for (var k in params) {
      if (Object.prototype.hasOwnProperty.call(params, k) && params[k] !== null && params[k] !== undefined && params[k] !== '') {
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(params[k]));
      }
    }
    return parts.join('&');
  }

  function get(what, params) {
    return H.api('GET', API + what + '?' + qs(params));
  }

  function chart(id) {
    if (!charts[id]) {
      charts[id] = window.echarts.init(byId(id), null, { renderer: 'canvas' });
    }
    return charts[id];
  }

  // ------------------------------------------------------------------ volume

  function renderCards(s) {
    byId('k-total').textContent = String(s.total);
    byId('k-total-sub').textContent = s.from + ' 至 ' + s.to;
    // A change is given only against a base worth comparing (the server's rule, the profile's
    // minimum); otherwise 「—」 and the server's reason.
    var base = '上一时段 ' + s.previous.total + ' 件（' + s.previous.from + ' 至 ' + s.previous.to + '）';
    byId('k-mom').textContent = change(s.mom);
    byId('k-mom-sub').textContent = s.mom_reason ? '不作比较：' + s.mom_reason + '。' + base : base;
    base = '去年同期 ' + s.year_ago.total + ' 件';
    byId('k-yoy').textContent = change(s.yoy);
    byId('k-yoy-sub').textContent = s.yoy_reason ? '不作比较：' + s.yoy_reason + '。' + base : base;
    byId('k-dispatched').textContent = String(s.dispatched);
    byId('k-not-dispatched').textContent = String(s.not_dispatched);
    byId('k-dispatched-sub').textContent = s.total ? '派单占 ' + percent(s.dispatched / s.total) : '';
    var a = s.answered || { kb: 0, agent: 0 };
    byId('k-answered-kb').textContent = String(a.kb);
    byId('k-answered-agent').textContent = String(a.agent);
    byId('k-handled-dispatched').textContent = String(s.dispatched);
    var handled = a.kb + a.agent + s.dispatched;
    byId('k-answered-sub').textContent = handled ? '直接答复占 ' + percent((a.kb + a.agent) / handled) +
      '（知识库答复每给出一篇文章计一次；坐席答复指转人工后未登记工单的对话）' : '';
    byId('k-emergencies').textContent = String(s.emergencies);
    var nums = [];
    for (var n in s.emergency_numbers) {
      if (Object.prototype.hasOwnProperty.call(s.emergency_numbers, n)) {
        nums.push(n + '：' + s.emergency_numbers[n]);
      }
    }
    byId('k-emergencies-sub').textContent = nums.join('，');
  }

  function topGroups(s) {
    var names = [];
    for (var k in s.totals) {
      if (Object.prototype.hasOwnProperty.call(s.totals, k)) {
        names.push(k);
      }
    }
    return names; // already ordered by count, largest first
  }

  function renderTrend(s, group) {
    var periods = s.series.map(function (p) { return p.period; });
    var names = topGroups(s);
    var shown = names.slice(0, TOP);
    var rest = names.slice(TOP);
    var series = shown.map(function (name, i) {
      return {
        name: label(group, name), type: 'bar', stack: 'all', itemStyle: { color: COLORS[i % COLORS.length] },
        data: s.series.map(function (p) { return p.groups[name] || 0; }), groupValue: name
      };
    });
    if (rest.length) {
      series.push({
        name: '其他', type: 'bar', stack: 'all', itemStyle: { color: '#c8ced6' },
        data: s.series.map(function (p) {
          var n = 0;
          rest.forEach(function (r) { n += p.groups[r] || 0; });
          return n;
        })
      });
    }
    var c = chart('trend');
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: periods },
      yAxis: { type: 'value', name: '件', minInterval: 1 },
      series: series
    }, true);
    c.off('click');
    c.on('click', function (e) {
      var one = series[e.seriesIndex] && series[e.seriesIndex].groupValue;
      var range = periodRange(periods[e.dataIndex], state.query.by);
      var filters = {};
      if (one) {
        filters[group] = one;
      }
      drill(range[0], range[1], filters, periods[e.dataIndex] + (one ? ' · ' + label(group, one) : ''));
    });
  }

  // A period label's days: a day, the week from its Monday, or the month.
  function periodRange(period, by) {
    if (by === 'month') {
      var y = Number(period.slice(0, 4)), m = Number(period.slice(5, 7));
      var last = new Date(Date.UTC(y, m, 0)).getUTCDate();
      return [period + '-01', period + '-' + H.pad2(last)];
    }
    if (by === 'week') {
      var d = new Date(period + 'T00:00:00Z');
      d.setUTCDate(d.getUTCDate() + 6);
      return [period, d.toISOString().slice(0, 10)];
    }
    return [period, period];
  }

  function renderShare(s, group) {
    var names = topGroups(s);
    var data = names.slice(0, 12).map(function (name, i) {
      return { name: label(group, name), value: s.totals[name], groupValue: name, itemStyle: { color: COLORS[i % COLORS.length] } };
    });
    var c = chart('share');
    c.setOption({
      animation: false,
      tooltip: { trigger: 'item', renderMode: 'richText' },
      series: [{ type: 'pie', radius: ['35%', '70%'], data: data, label: { formatter: '{b}\n{c}件' } }]
    }, true);
    c.off('click');
    c.on('click', function (e) {
      var filters = {};
      filters[group] = e.data.groupValue;
      drill(state.query.from, state.query.to, filters, label(group, e.data.groupValue));
    });
    var body = byId('share-table').tBodies[0];
    var reasons = [];
    clear(body);
    names.forEach(function (name) {
      var tr = el('tr');
      var first = el('td');
      var link = el('button', 'link-button', label(group, name));
      link.type = 'button';
      link.addEventListener('click', function () {
        var filters = {};
        filters[group] = name;
        drill(state.query.from, state.query.to, filters, label(group, name));
      });
      first.appendChild(link);
      tr.appendChild(first);
      var ch = s.by_group_change[name] || {};
      tr.appendChild(el('td', null, String(s.totals[name])));
      [[ch.mom, ch.mom_reason, '环比'], [ch.yoy, ch.yoy_reason, '同比']].forEach(function (c) {
        var td = el('td', null, change(c[0]));
        if (c[1]) {
          td.title = c[2] + '不作比较：' + c[1];
          if (reasons.indexOf(c[2] + '：' + c[1]) < 0) {
            reasons.push(c[2] + '：' + c[1]);
          }
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    // Why a 「—」: the distinct reasons under the table (each cell's in its tooltip).
    byId('share-note').textContent = reasons.length
      ? '「—」不作比较（' + reasons.slice(0, 3).join('；') + (reasons.length > 3 ? '；等' : '') + '）。'
      : '';
  }

  // ------------------------------------------------------------------ answered directly versus dispatched

  var HANDLING = [['kb', '直接答复（知识库）', '#2f8f5b'], ['agent', '直接答复（坐席）', '#d9822b'], ['dispatched', '派单', '#0b4f9c']];

  function renderHandling(s) {
    var periods = s.handling.map(function (p) { return p.period; });
    var c = chart('handling');
    c.setOption({
      animation: false,
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: periods },
      yAxis: { type: 'value', name: '件', minInterval: 1 },
      series: HANDLING.map(function (h) {
        return { name: h[1], type: 'bar', itemStyle: { color: h[2] }, data: s.handling.map(function (p) { return p[h[0]]; }) };
      })
    }, true);
    c.off('click');
    c.on('click', function (e) {
      var range = periodRange(periods[e.dataIndex], state.query.by);
      var kind = HANDLING[e.seriesIndex][0];
      if (kind === 'dispatched') {
        drill(range[0], range[1], { dispatched: 'yes' }, periods[e.dataIndex] + ' · 派单办理');
      } else {
        drillAnswers(range[0], range[1], kind);
      }
    });
  }

  // What is behind a 直接答复 figure: the articles given and how often, or why the conversations an
  // agent answered came to a person; by channel. Nothing of who asked.
  function drillAnswers(from, to, kind) {
    var box = byId('answers-drill');
    box.hidden = false;
    byId('answers-title').textContent = kind === 'kb' ? '直接答复（知识库）：答复了哪些问题' : '直接答复（坐席）：转人工的原因';
    byId('answers-what').textContent = kind === 'kb' ? '知识库文章' : '转人工原因';
    byId('answers-sub').textContent = '正在加载…';
    var body = byId('answers-table').tBodies[0];
    clear(body);
    get('answers', { from: from, to: to, answered_by: kind }).then(function (r) {
      if (!r.ok) {
        byId('answers-sub').textContent = H.errorText(r);
        return;
      }
      var d = r.data;
      var rows = kind === 'kb' ? (d.articles || []).map(function (x) { return [x.title, x.count]; })
        : (d.reasons || []).map(function (x) { return [x.label || x.reason, x.count]; });
      byId('answers-sub').textContent = from + ' 至 ' + to + '，共 ' + d.total + ' 次' +
        (kind === 'kb' && d.article_count > rows.length ? '，涉及 ' + d.article_count + ' 篇文章，显示最多的 ' + rows.length + ' 篇' : '');
      rows.forEach(function (row) {
        var tr = el('tr');
        tr.appendChild(el('td', null, str(row[0])));
        tr.appendChild(el('td', null, String(row[1])));
        body.appendChild(tr);
      });
      var channels = [];
      for (var ch in d.by_channel) {
        if (Object.prototype.hasOwnProperty.call(d.by_channel, ch)) {
          channels.push(label('channel', ch) + ' ' + d.by_channel[ch] + ' 次');
        }
      }
      byId('answers-channels').textContent = channels.length ? '按渠道：' + channels.join('，') : '';
      box.scrollIntoView({ block: 'start' });
    });
  }

  // ------------------------------------------------------------------ hot spots

  function renderHotspots(list) {
    var box = byId('hotspots');
    clear(box);
    byId('hotspots-empty').hidden = list.length > 0;
    list.forEach(function (h) {
      var li = el('li', 'hotspot');
      li.appendChild(el('p', 'hotspot-reason', str(h.reason)));
      var meta = el('p', 'hotspot-meta', '近' + h.window_hours + '小时 ' + h.count + ' 件 · 基线 ' + h.baseline + ' 件 · 显著性 ' + h.score);
      li.appendChild(meta);
      var open = el('button', 'btn btn-small', '查看 ' + (h.numbers || []).length + ' 件工单');
      open.type = 'button';
      open.addEventListener('click', function () {
        var hours = h.window_hours;
        var from = china(new Date(Date.now() - hours * 3600 * 1000));
        drill(from, china(new Date()), { district: h.district, subtopic: h.topic }, str(h.reason));
      });
      li.appendChild(open);
      box.appendChild(li);
    });
  }

  // ------------------------------------------------------------------ warnings (the job's hot spots)

  function renderWarnings(list) {
    var box = byId('warnings');
    clear(box);
    byId('warnings-empty').hidden = list.length > 0;
    var fresh = 0;
    list.forEach(function (w) {
      if (!state.seen[w.id]) {
        state.seen[w.id] = true;
        fresh += 1;
      }
      var li = el('li', 'hotspot' + (w.state === 'acknowledged' ? ' is-acknowledged' : ''));
      li.setAttribute('data-warning', String(w.id));
      li.setAttribute('data-kind', str(w.kind));
      var reason = el('p', 'hotspot-reason');
      reason.appendChild(el('span', 'warning-kind warning-kind-' + str(w.kind), str(w.kind_label || '热点')));
      reason.appendChild(document.createTextNode(' ' + str(w.reason)));
      li.appendChild(reason);
      li.appendChild(el('p', 'hotspot-meta', warningMeta(w)));
      var row = el('div', 'warning-actions');
      var open = el('button', 'btn btn-small', '查看 ' + w.numbers.length + ' 件工单');
      open.type = 'button';
      open.addEventListener('click', function () {
        showOrders('预警工单：' + str(w.reason), '共 ' + (w.orders || []).length + ' 件（举报和要求保密的工单不显示内容' +
          (w.kind === 'repeat' ? '；重复来电不显示市民身份，内容中的姓名、电话已遮盖' : '') + '）', w.orders || []);
      });
      row.appendChild(open);
      if (state.me && state.me.role === 'supervisor') {
        if (w.state === 'open') {
          var ack = el('button', 'btn btn-small btn-primary', '确认');
          ack.type = 'button';
          ack.setAttribute('data-action', 'acknowledge');
          ack.addEventListener('click', function () { actOn(w.id, 'acknowledge', null); });
          row.appendChild(ack);
        }
        var note = el('input', 'warning-note');
        note.type = 'text';
        note.maxLength = 500;
        note.placeholder = '处理情况（关闭时必填）';
        note.setAttribute('aria-label', '预警 ' + w.id + ' 的处理情况');
        row.appendChild(note);
        var close = el('button', 'btn btn-small', '关闭');
        close.type = 'button';
        close.setAttribute('data-action', 'close');
        close.addEventListener('click', function () { actOn(w.id, 'close', note.value); });
        row.appendChild(close);
      }
      li.appendChild(row);
      box.appendChild(li);
    });
    if (fresh && document.hidden) {
      document.title = '【新预警】研判 · 12345 热线';
    }
  }

  // What a warning rests on, by its kind (a repeat caller: how often, never who).
  function warningMeta(w) {
    var what;
    if (w.kind === 'hotspot' || w.kind === 'street') {
      what = '近' + w.window_hours + '小时 ' + w.count + ' 件 · 基线 ' + w.baseline + ' 件';
    } else if (w.kind === 'cluster') {
      what = w.count + ' 位市民 · ' + w.numbers.length + ' 件工单';
    } else if (w.kind === 'repeat') {
      what = Math.round(w.window_hours / 24) + ' 天内 ' + w.count + ' 件';
    } else {
      what = '工单 ' + w.numbers.join('、');
    }
    return what + (w.unit ? ' · 主要承办单位：' + w.unit : '') +
      (w.state === 'acknowledged' ? ' · 已由' + str(w.acknowledged_by).replace('console:', '') + '确认' : ' · 未确认');
  }

  function actOn(id, action, note) {
    H.api('POST', API + 'warnings/' + id + '/' + action, { note: note }).then(function (r) {
      if (!r.ok) {
        showStatus(H.errorText(r), 'error');
        return;
      }
      showStatus(action === 'close' ? '预警已关闭。' : '预警已确认。', 'ok');
      loadWarnings();
    });
  }

  function loadWarnings() {
    return get('warnings', { state: 'open' }).then(function (r) {
      if (r.ok) {
        renderWarnings(r.data.warnings || []);
      }
    });
  }

  // ------------------------------------------------------------------ the kept monthly reports

  function loadArchive() {
    return get('reports', {}).then(function (r) {
      if (!r.ok) {
        return;
      }
      var body = byId('archive-table').tBodies[0];
      clear(body);
      var reports = r.data.reports || [];
      byId('archive-empty').hidden = reports.length > 0;
      byId('archive-hint').textContent = '每月1日凌晨自动生成上月报告并存档，保留最近 ' + r.data.keep_months + ' 个月';
      reports.forEach(function (k) {
        var tr = el('tr');
        tr.appendChild(el('td', null, k.month.slice(0, 4) + '年' + Number(k.month.slice(5, 7)) + '月'));
        var at = new Date(k.generated_at);
        tr.appendChild(el('td', null, china(at) + ' ' + H.pad2((at.getUTCHours() + 8) % 24) + ':' + H.pad2(at.getUTCMinutes())));
        var links = el('td');
        [['pdf', 'PDF'], ['xlsx', 'Excel']].forEach(function (f) {
          var a = el('a', 'btn btn-small', f[1]);
          a.href = API + 'reports?' + qs({ month: k.month, format: f[0] });
          if (f[0] === 'pdf') {
            a.target = '_blank';
            a.rel = 'noopener';
          }
          links.appendChild(a);
          links.appendChild(document.createTextNode(' '));
        });
        tr.appendChild(links);
        body.appendChild(tr);
      });
    });
  }

  // ------------------------------------------------------------------ the units' evaluation

  // The evaluation in total, or in one topic (大类): the same rates, ranked among the units with
  // enough orders of that topic.
  function renderUnits(u) {
    state.units = u;
    var pick = byId('units-topic');
    var chosen = pick.value;
    while (pick.options.length > 1) {
      pick.remove(1);
    }
    Object.keys(u.by_topic_ranking || {}).forEach(function (t) {
      var o = el('option', null, t);
      o.value = t;
      pick.appendChild(o);
    });
    pick.value = u.by_topic_ranking && u.by_topic_ranking[chosen] ? chosen : '';
    renderUnitRows(u, pick.value);
  }

  function renderUnitRows(u, topic) {
    byId('units-hint').textContent = u.from + ' 至 ' + u.to + ' 派给各单位的工单' + (topic ? '中「' + topic + '」类' : '') +
      '；少于 ' + u.min_orders + ' 件的单位不排名';
    var body = byId('units-table').tBodies[0];
    clear(body);
    var rows = topic ? u.by_topic_ranking[topic] : u.units;
    rows.forEach(function (r) {
      var tr = el('tr', r.ranked ? null : 'is-unranked');
      var topics = [];
      if (topic) {
        topics.push(topic + ' ' + r.received);
      }
      for (var t in r.by_topic) {
        if (Object.prototype.hasOwnProperty.call(r.by_topic, t) && topics.length < 3) {
          topics.push(t + ' ' + r.by_topic[t]);
        }
      }
      var name = el('button', 'link-button', str(r.unit));
      name.type = 'button';
      name.addEventListener('click', function () {  // the orders it received in the period, as the table counts
        var filters = { unit: r.unit, basis: 'received' };
        if (topic) {
          filters.topic = topic;
        }
        drill(u.from, u.to, filters, str(r.unit) + (topic ? ' · ' + topic : '') + '（期间收到的工单）');
      });
      var cells = [r.rank ? String(r.rank) : '样本不足', name, String(r.received), percent(r.signed_in_time), percent(r.on_time),
        percent(r.solved), percent(r.satisfied_share), r.satisfaction === null ? '—' : String(r.satisfaction),
        percent(r.rated_share), String(r.returns), String(r.extensions), String(r.reopened), String(r.not_rated),
        topics.join('，')];
      cells.forEach(function (c) {
        var td = el('td');
        if (typeof c === 'string') {
          td.textContent = c;
        } else {
          td.appendChild(c);
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  // ------------------------------------------------------------------ the orders behind a figure

  function drill(from, to, filters, title) {
    var params = { from: from, to: to, limit: 200 };
    for (var k in filters) {
      if (Object.prototype.hasOwnProperty.call(filters, k)) {
        params[k] = filters[k];
      }
    }
    byId('drill').hidden = false;
    byId('drill-title').textContent = '工单明细：' + title;
    byId('drill-sub').textContent = '正在加载…';
    get('orders', params).then(function (r) {
      if (!r.ok) {
        byId('drill-sub').textContent = H.errorText(r);
        return;
      }
      showOrders('工单明细：' + title, from + ' 至 ' + to + '，共 ' + r.data.total + ' 件' +
        (r.data.total > r.data.orders.length ? '，显示最新 ' + r.data.orders.length + ' 件' : '') +
        '（举报和要求保密的工单不显示内容）', r.data.orders);
    });
  }

  // The orders of a figure or of a warning (no name, phone or address; a 举报's or confidential
  // order's content never).
  function showOrders(title, sub, orders) {
    byId('drill').hidden = false;
    byId('drill-title').textContent = title;
    byId('drill-sub').textContent = sub;
    var body = byId('drill-table').tBodies[0];
    clear(body);
    orders.forEach(function (o) {
      var tr = el('tr');
      [o.number, str(o.created_at).slice(0, 16).replace('T', ' '), o.type, str(o.topic).replace('/', ' › '),
        (o.district || '—') + (o.street ? ' ' + o.street : ''),
        o.unit || '（未派单）', o.status_label, o.content === null ? '（不显示）' : str(o.content)].forEach(function (v) {
        tr.appendChild(el('td', null, str(v)));
      });
      body.appendChild(tr);
    });
    byId('drill').scrollIntoView({ block: 'start' });
  }

  // ------------------------------------------------------------------ loading

  function read() {
    return { from: byId('f-from').value, to: byId('f-to').value, by: byId('f-by').value, group: byId('f-group').value };
  }

  function load() {
    var q = read();
    state.query = q;
    showStatus('正在统计…', 'ok');
    var jobs = [
      get('summary', q).then(function (r) {
        if (!r.ok) {
          throw r;
        }
        state.summary = r.data;
        renderCards(r.data);
        renderHandling(r.data);
        renderTrend(r.data, q.group);
        renderShare(r.data, q.group);
      }),
      get('hotspots', {}).then(function (r) {
        if (!r.ok) {
          throw r;
        }
        renderHotspots(r.data.hotspots || []);
      }),
      loadWarnings(),
      get('units', { from: q.from, to: q.to }).then(function (r) {
        if (!r.ok) {
          throw r;
        }
        renderUnits(r.data);
      })
    ];
    return Promise.all(jobs).then(function () {
      showStatus('已更新。', 'ok');
    }, function (r) {
      showStatus(H.errorText(r), 'error');
    });
  }

  function start() {
    H.bindLogout();
    H.loadMe().then(function (r) {
      byId('page-loading').hidden = true;
      if (!r.ok) {
        return;
      }
      if (!r.me || (r.me.role !== 'supervisor' && r.me.role !== 'leader')) {
        byId('denied').hidden = false;
        return;
      }
      state.me = r.me;
      byId('to-orders').hidden = r.me.role !== 'supervisor';
      window.setInterval(loadWarnings, WARNINGS_EVERY_MS);
      document.addEventListener('visibilitychange', function () {
        if (!document.hidden) {
          document.title = '研判 · 12345 热线';
        }
      });
      byId('board').hidden = false;
      var month = byId('f-month');
      var lastMonth = new Date();
      lastMonth.setUTCDate(0);
      month.value = china(lastMonth).slice(0, 7);
      var setLinks = function () {
        var base = API + 'report?month=' + encodeURIComponent(month.value) + '&format=';
        byId('r-html').href = base + 'html';
        byId('r-pdf').href = base + 'pdf';
        byId('r-xlsx').href = base + 'xlsx';
        byId('r-csv').href = base + 'csv&table=units';
      };
      month.addEventListener('change', setLinks);
      setLinks();
      loadArchive();
      var range = daysBefore(30);
      byId('f-from').value = range[0];
      byId('f-to').value = range[1];
      byId('filters').addEventListener('submit', function (e) {
        e.preventDefault();
        load();
      });
      // The cards' figures open their orders, as every other figure does.
      [['k-total', {}, '全部诉求'], ['k-dispatched', { dispatched: 'yes' }, '派单办理'],
        ['k-not-dispatched', { dispatched: 'no' }, '未派单'], ['k-handled-dispatched', { dispatched: 'yes' }, '派单办理']].forEach(function (c) {
        byId(c[0]).addEventListener('click', function () {
          if (state.query) {
            drill(state.query.from, state.query.to, c[1], c[2]);
          }
        });
      });
      byId('units-topic').addEventListener('change', function () {
        if (state.units) {
          renderUnitRows(state.units, byId('units-topic').value);
        }
      });
      ['kb', 'agent'].forEach(function (kind) {
        byId('k-answered-' + kind).addEventListener('click', function () {
          if (state.query) {
            drillAnswers(state.query.from, state.query.to, kind);
          }
        });
      });
      Array.prototype.forEach.call(document.querySelectorAll('[data-days]'), function (b) {
        b.addEventListener('click', function () {
          var days = Number(b.getAttribute('data-days'));
          var rr = daysBefore(days);
          byId('f-from').value = rr[0];
          byId('f-to').value = rr[1];
          byId('f-by').value = days > 90 ? 'month' : days > 31 ? 'week' : 'day';
          load();
        });
      });
      window.addEventListener('resize', function () {
        for (var k in charts) {
          if (Object.prototype.hasOwnProperty.call(charts, k)) {
            charts[k].resize();
          }
        }
      });
      load();
    });
  }

  start();
})();
