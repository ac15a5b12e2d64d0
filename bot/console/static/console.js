/*
 * Hotline agents' console: the duty desk's emergency alerts (a strip above everything), live
 * queue, conversation with a citizen, work orders, notes and the phone-call form (smart form
 * filling through the triage).
 *
 * Plain ES5 script, no modules and no build step; common.js (window.Hotline, loaded first) has
 * the helpers and the fetch wrapper it shares with orders.js. Talks to the gateway through
 *   - JSON over fetch under /console/api (POSTs carry the X-CSRF-Token header), and
 *   - a WebSocket at /console/ws that pushes the whole queue, every new message and the alerts.
 *
 * Security: everything that comes from citizens or from the server is put on the page with
 * textContent / createTextNode only. Nothing is ever parsed as HTML.
 */
(function () {
  'use strict';

  var H = window.Hotline;
  var byId = H.byId, el = H.el, clear = H.clear, pad2 = H.pad2, str = H.str, isString = H.isString;
  var api = H.api, errorText = H.errorText, showStatus = H.showStatus, shorten = H.shorten;
  var parseTime = H.parseTime;

  // ------------------------------------------------------------------ constants

  var API = H.API;
  var WS_PATH = '/console/ws';
  var RECONNECT_FIRST_MS = 1000;
  var RECONNECT_MAX_MS = 10000;
  var NEAR_BOTTOM_PX = 80;
  var WAIT_LONG_S = 120;
  var WAIT_VERY_LONG_S = 300;
  var ECHO_KEEP_MS = 60000;
  var PAGE_TITLE = '12345 热线坐席工作台';
  var FLASH_TITLE = '【紧急警情】';
  var FLASH_MS = 1000;
  var DESK_PREVIEW_CHARS = 120;
  var CHINA_OFFSET_MS = 8 * 3600 * 1000; // alerts are shown in China time (UTC+8, no summer time)

  var CHANNEL_NAMES = { web: '网页', wechat: '微信', rest: '接口', phone: '电话' };
  var AUTHOR_NAMES = { citizen: '市民', bot: '智能助手', agent: '坐席', system: '系统' };
  var REQUEST_TYPES = ['咨询', '求助', '投诉', '举报', '意见建议'];
  var ORDER_FIELDS = ['request_type', 'content', 'address', 'district', 'name', 'phone', 'confidential', 'wants_reply'];
  var DONE_ORDER_STATUSES = { closed: true, terminated: true };

  // Same names as bot/messages.py EMERGENCY_KIND_NAMES (the triage sends only the kind).
  var EMERGENCY_KIND_NAMES = {
    fire: '火情/爆炸',
    gas: '燃气泄漏',
    lift: '电梯困人',
    medical: '急病/受伤',
    self_harm: '自伤/轻生',
    violence: '暴力/治安警情',
    missing_person: '人员走失',
    domestic_violence: '家庭暴力',
    fraud: '诈骗',
    traffic: '交通事故',
    traffic_injury: '交通事故（有人受伤）',
    disaster: '灾害/坍塌/被困'
  };
  var EMERGENCY_NUMBER_NAMES = {
    '110': '报警',
    '119': '消防',
    '120': '急救',
    '122': '交通事故',
    '96110': '反诈专线'
  };

  // Ready-made sentences an agent can drop into the reply box (then edit before sending).
  var PHRASES = {
    greet: '您好，我是12345热线工作人员，很高兴为您服务。请问有什么可以帮您？',
    wait: '好的，请您稍等，我马上为您查询。',
    ask: '为了便于办理，请您提供一下具体地址（区、街道、小区、楼号）和联系电话。',
    filed: '您反映的问题已经登记，我们会尽快转交相关部门办理，办理结果会及时答复您。',
    bye: '感谢您的反映。如果还有其他问题，欢迎随时联系12345热线，再见！'
  };

  // (The messages for failed calls are common.js's.)
  var TEXT = {
    disconnected: '实时连接已断开，正在重连…',
    reconnected: '实时连接已恢复。',
    queueFailed: '排队列表没有刷新成功，请稍后再试。',
    claimBusy: '正在接入…',
    claimed: '已接入，请开始接待。',
    claimFailed: '没有接入成功，请稍后再试。',
    loading: '正在加载对话…',
    loadFailed: '对话没有加载成功，请稍后再试。',
    noMessages: '还没有消息。',
    emptyTranscript: '请在左侧排队列表中点「接入」开始接待市民。',
    noText: '（无文字内容）',
    image: '［图片］',
    attachment: '［附件］',
    replyEmpty: '请先输入回复内容。',
    replyFailed: '回复没有发出去，请稍后再试。',
    hintNone: '打开并接入对话后才能回复。',
    hintMine: '由您接待中。Enter 发送，Shift+Enter 换行。',
    hintWaiting: '这位市民还在排队，接入后才能回复。',
    hintReturned: '对话已交还智能助手，现在只能查看。',
    hintClosed: '对话已结束，现在只能查看。',
    hintBot: '这段对话目前由智能助手接待，只能查看。',
    confirmClose: '确定结束这次对话吗？结束后将不能再回复这位市民。',
    closed: '对话已结束。',
    handedBack: '已交还智能助手。',
    askedExpert: '已询问市民是否同意转接专家坐席，请等市民答复。',
    confirmExpert: '市民已经同意转接专家坐席了吗？（按规定须先征得市民同意）',
    transferred: '已转入专家坐席队列。',
    endFailed: '操作没有成功，请稍后再试。',
    fileBusy: '正在提交…',
    fileFailed: '工单没有提交成功，请稍后再试。',
    fileNeedsContent: '请填写诉求内容。',
    fileNeedsType: '请选择诉求类型。',
    refile: '本次对话已经提交过工单 {n}，确定还要再提交一张吗？',
    fileRepeat: '已有相同诉求的工单，未重复立单：',
    fileOthers: '；其他单位的事项已分别立单 {n} 张：',
    noteEmpty: '请先输入备注内容。',
    noteAdded: '备注已添加。',
    noteFailed: '备注没有保存成功，请稍后再试。',
    triageEmpty: '请先记录来电人所说的内容。',
    triageBusy: '正在识别…',
    triageFailed: '智能识别没有成功，请手动填写工单。',
    callFailed: '来电工单没有提交成功，请稍后再试。',
    callFiled: '来电工单已提交。',
    callReset: '已清空，可以记录下一个来电。',
    confirmCallReset: '当前来电的内容还没有提交工单，确定清空吗？',
    deskAcknowledged: '已确认接警。',
    deskAckFailed: '没有确认成功，请稍后再试。',
    deskNoteEmpty: '请先填写处置情况。',
    deskNoted: '处置情况已记录。',
    deskNoteFailed: '处置情况没有保存成功，请稍后再试。',
    deskTaken: '已接管这位市民的对话，请立即接待。',
    deskTakeFailed: '没有接管成功，请稍后再试。',
    deskSoundOn: '提示音已开启。'
  };

  // ------------------------------------------------------------------ state

  var state = {
    me: null,
    queue: [],
    undelivered: [], // conversations whose messages could not be delivered (not in the queue)
    queueAt: 0, // Date.now() when the queue arrived; waits count up from there
    online: 0,
    waitCells: [], // [{el, item}] to update the wait times every second
    unread: {}, // sender_id -> true: new messages in a conversation that is not open
    openId: null, // sender_id of the open conversation
    conv: null, // the open conversation as last read from the server
    loadSeq: 0,
    loading: false,
    buffered: [], // live messages for the open conversation that came while it loaded
    lastDay: '',
    sends: [], // my replies waiting for their echo over the WebSocket
    drafts: {}, // sender_id -> unsent reply text
    filed: {}, // sender_id -> number of the order filed from this page
    ended: {}, // sender_id -> 'returned' | 'closed': what I last did with it here
    formDirty: false,
    ws: null,
    wsOpen: false,
    wsEverOpened: false,
    wsDelay: RECONNECT_FIRST_MS,
    wsTimer: null,
    call: { id: '', touched: {}, filedNumber: null },
    baseTitle: PAGE_TITLE, // the page title without the emergency flashing
    desk: {
      items: [], // the alerts in the strip, in the order shown
      escalateAfter: 60,
      known: {}, // alert id -> true: alerts this page has seen
      escalatedKnown: {}, // alert id -> true: escalations this page has called attention to
      drafts: {}, // alert id -> the note being typed
      expanded: {}, // alert id -> true: the citizen's full words are shown
      details: {}, // alert id -> true: an acknowledged alert shown in full (not as a compact row)
      busy: {}, // alert id -> true: a request about it is on its way
      timeCells: [], // [{el, item, kind}] the times that count every second
      composing: false, // an input method is composing in the strip: do not rebuild it now
      renderOwed: false,
      flashTimer: null,
      flashOn: false,
      audio: null, // the AudioContext, made at the first user gesture (browsers block it before)
      soundMissed: false, // a beep could not be played (no gesture yet): offer to turn sound on
      announced: [] // ids of the alerts the live region speaks of
    }
  };

  // ------------------------------------------------------------------ small helpers

  function sameId(a, b) {
    return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
  }

  function dayKey(d) {
    return d.getFullYear() + '-' + (d.getMonth() + 1) + '-' + d.getDate();
  }

  function formatDay(d) {
    var now = new Date();
    if (dayKey(d) === dayKey(now)) {
      return '今天';
    }
    var s = d.getMonth() + 1 + '月' + d.getDate() + '日';
    return d.getFullYear() === now.getFullYear() ? s : d.getFullYear() + '年' + s;
  }

  function formatClock(d) {
    return pad2(d.getHours()) + ':' + pad2(d.getMinutes());
  }

  // 「14:05」 today, 「11月22日 14:05」 otherwise.
  function formatTime(value) {
    var d = parseTime(value);
    if (!d) {
      return '';
    }
    var day = formatDay(d);
    return day === '今天' ? formatClock(d) : day + ' ' + formatClock(d);
  }

  // A date such as a deadline: shown as written (2026-11-30).
  function formatDate(value) {
    var s = str(value);
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
      return s;
    }
    var d = parseTime(s);
    return d ? d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) : s;
  }

  // 45秒, 2分05秒, 1小时02分
  function formatDuration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    if (s < 60) {
      return s + '秒';
    }
    if (s < 3600) {
      return Math.floor(s / 60) + '分' + pad2(s % 60) + '秒';
    }
    return Math.floor(s / 3600) + '小时' + pad2(Math.floor((s % 3600) / 60)) + '分';
  }

  // A name from a value that may be a string or an object with a name.
  function displayName(value) {
    if (isString(value)) {
      return value;
    }
    if (value && typeof value === 'object') {
      return str(value.name || value.label || value.title || '');
    }
    return '';
  }

  function randomId() {
    var bytes = new Uint8Array(8);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    var hex = '';
    for (var j = 0; j < bytes.length; j++) {
      hex += (bytes[j] < 16 ? '0' : '') + bytes[j].toString(16);
    }
    return 'call-' + hex;
  }

  // ------------------------------------------------------------------ elements

  var els = {
    conn: byId('conn'),
    queue: byId('queue'),
    queueEmpty: byId('queue-empty'),
    waitingCount: byId('waiting-count'),
    online: byId('online'),
    tabChat: byId('tab-chat'),
    tabCall: byId('tab-call'),
    panelChat: byId('panel-chat'),
    panelCall: byId('panel-call'),
    convTitle: byId('conv-title'),
    convMeta: byId('conv-meta'),
    handback: byId('btn-handback'),
    askExpert: byId('btn-ask-expert'),
    transferExpert: byId('btn-transfer-expert'),
    close: byId('btn-close'),
    transcript: byId('transcript'),
    jumpNew: byId('jump-new'),
    replyHint: byId('reply-hint'),
    replyText: byId('reply-text'),
    replySend: byId('reply-send'),
    fieldsError: byId('fields-error'),
    orderForm: byId('order-form'),
    orderFieldset: byId('order-fieldset'),
    fileBtn: byId('btn-file'),
    orderHint: byId('order-hint'),
    fileResult: byId('file-result'),
    orders: byId('orders'),
    ordersEmpty: byId('orders-empty'),
    notes: byId('notes'),
    notesEmpty: byId('notes-empty'),
    noteText: byId('note-text'),
    noteAdd: byId('note-add'),
    callText: byId('call-text'),
    callTriage: byId('call-triage'),
    callReset: byId('call-reset'),
    callReading: byId('call-reading'),
    callEmergency: byId('call-emergency'),
    callScope: byId('call-scope'),
    callSuggest: byId('call-suggest'),
    callId: byId('call-id'),
    callForm: byId('call-form'),
    callFile: byId('call-file'),
    callResult: byId('call-result'),
    deskLive: byId('desk-live'),
    deskBody: byId('desk-body'),
    deskCount: byId('desk-count'),
    deskSound: byId('desk-sound'),
    deskList: byId('desk-list')
  };
  var phraseButtons = document.querySelectorAll('.phrase');

  // ------------------------------------------------------------------ server calls

  function convUrl(senderId, action) {
    return API + '/conversations/' + encodeURIComponent(senderId) + (action ? '/' + action : '');
  }

  // ------------------------------------------------------------------ who am I

  function isMine(handoffOrItem) {
    return !!(handoffOrItem && state.me && sameId(handoffOrItem.agent_id, state.me.id));
  }

  // ------------------------------------------------------------------ queue

  function findItem(id) {
    for (var i = 0; i < state.queue.length; i++) {
      if (sameId(state.queue[i].id, id)) {
        return state.queue[i];
      }
    }
    return null;
  }

  function findItemBySender(senderId) {
    for (var i = 0; i < state.queue.length; i++) {
      if (state.queue[i].sender_id === senderId) {
        return state.queue[i];
      }
    }
    return null;
  }

  function waitedNow(item) {
    var base = typeof item.waited_seconds === 'number' ? item.waited_seconds : 0;
    return base + (Date.now() - state.queueAt) / 1000;
  }

  function setQueue(items, online, undelivered) {
    state.queue = Array.isArray(items) ? items : [];
    state.undelivered = Array.isArray(undelivered) ? undelivered : [];
    state.queueAt = Date.now();
    if (typeof online === 'number') {
      state.online = online;
    }
    renderQueue();
    syncOpenWithQueue();
  }

  function refreshQueue() {
    return api('GET', API + '/queue').then(function (r) {
      if (r.ok) {
        setQueue(r.data.items, r.data.online, r.data.undelivered);
      } else {
        showStatus(errorText(r, TEXT.queueFailed), 'error');
      }
    });
  }

  function updateWait(cell) {
    var item = cell.item;
    var seconds = waitedNow(item);
    var waiting = item.status === 'waiting';
    cell.el.textContent = (waiting ? '等待 ' : '已持续 ') + formatDuration(seconds);
    cell.el.className =
      'qi-wait' +
      (waiting && seconds >= WAIT_VERY_LONG_S ? ' is-very-long' : waiting && seconds >= WAIT_LONG_S ? ' is-long' : '');
  }

  function tickWaits() {
    for (var i = 0; i < state.waitCells.length; i++) {
      updateWait(state.waitCells[i]);
    }
  }

  function buildQueueItem(item) {
    var waiting = item.status === 'waiting';
    var mine = !waiting && isMine(item);
    var li = el('li', 'queue-item ' + (waiting ? 'is-waiting' : 'is-held'));
    li.setAttribute('data-id', str(item.id));
    if (mine) {
      li.classList.add('is-mine');
    }
    if (item.sender_id === state.openId) {
      li.classList.add('is-open');
      li.setAttribute('aria-current', 'true');
    }

    var descId = 'qi-desc-' + str(item.id);
    var top = el('div', 'qi-top');
    top.id = descId;
    var channel = str(item.channel);
    top.appendChild(el('span', 'chan chan-' + (CHANNEL_NAMES[channel] ? channel : 'other'), CHANNEL_NAMES[channel] || channel || '其他'));
    top.appendChild(el('span', 'qi-reason', item.reason_label || item.reason || '转人工'));
    if (state.unread[item.sender_id]) {
      li.classList.add('has-new');
      top.appendChild(el('span', 'qi-new', '新消息'));
    }
    li.appendChild(top);

    var wait = el('p', 'qi-wait');
    var cell = { el: wait, item: item };
    updateWait(cell);
    state.waitCells.push(cell);
    li.appendChild(wait);

    var hasPreview = isString(item.preview) && item.preview.trim() !== '';
    li.appendChild(el('p', 'qi-preview' + (hasPreview ? '' : ' is-none'), hasPreview ? item.preview : '（暂无市民留言）'));

    var actions = el('div', 'qi-actions');
    if (waiting) {
      actions.appendChild(el('span', 'qi-holder', '等待接入'));
      var claim = el('button', 'btn btn-primary btn-small claim', '接入');
      claim.type = 'button';
      claim.setAttribute('aria-describedby', descId);
      actions.appendChild(claim);
    } else {
      actions.appendChild(el('span', 'qi-holder', (mine ? '我' : str(item.agent) || '其他坐席') + ' 接待中'));
      if (mine || isSupervisor()) {
        var open = el('button', 'btn btn-small open', mine ? '打开' : '介入');
        open.type = 'button';
        open.setAttribute('aria-describedby', descId);
        actions.appendChild(open);
      }
    }
    li.appendChild(actions);
    return li;
  }

  // A conversation whose messages could not be delivered (e.g. WeChat's 48 hours are over):
  // a line under the queue until someone takes note.
  function buildUndeliveredItem(item) {
    var li = el('li', 'queue-item is-undelivered');
    li.setAttribute('data-sender', str(item.sender_id));
    var top = el('div', 'qi-top');
    var channel = str(item.channel);
    top.appendChild(el('span', 'chan chan-' + (CHANNEL_NAMES[channel] ? channel : 'other'), CHANNEL_NAMES[channel] || channel || '其他'));
    top.appendChild(el('span', 'qi-reason', (item.reason_label || '消息未送达') + ' ' + str(item.count) + ' 条'));
    li.appendChild(top);
    li.appendChild(el('p', 'qi-preview', str(item.reason || '')));
    var actions = el('div', 'qi-actions');
    var open = el('button', 'btn btn-small open-undelivered', '查看');
    open.type = 'button';
    actions.appendChild(open);
    var seen = el('button', 'btn btn-small undelivered-seen', '已知悉');
    seen.type = 'button';
    actions.appendChild(seen);
    li.appendChild(actions);
    return li;
  }

  function undeliveredSeen(senderId, button) {
    button.disabled = true;
    api('POST', API + '/conversations/' + encodeURIComponent(senderId) + '/undelivered/seen').then(function (r) {
      if (!r.ok) {
        button.disabled = false;
        showStatus(errorText(r, TEXT.queueFailed), 'error');
      }
      refreshQueue();
    });
  }

  function renderQueue() {
    // Keep keyboard focus on the same button across the re-render.
    var active = document.activeElement;
    var focusId = null;
    var focusClass = null;
    if (active && active !== els.queue && els.queue.contains(active)) {
      var activeLi = H.closest(active, '.queue-item', els.queue);
      focusId = activeLi ? activeLi.getAttribute('data-id') : null;
      focusClass = active.classList.contains('claim') ? 'claim' : active.classList.contains('open') ? 'open' : null;
    }

    state.waitCells = [];
    clear(els.queue);
    var waiting = 0;
    for (var i = 0; i < state.queue.length; i++) {
      var item = state.queue[i];
      if (item.status === 'waiting') {
        waiting++;
      }
      els.queue.appendChild(buildQueueItem(item));
    }
    for (var u = 0; u < state.undelivered.length; u++) {
      els.queue.appendChild(buildUndeliveredItem(state.undelivered[u]));
    }
    els.queueEmpty.hidden = state.queue.length + state.undelivered.length > 0;
    els.waitingCount.textContent = '等待接入 ' + waiting + ' 人';
    els.online.textContent = '在线坐席 ' + state.online + ' 人';
    state.baseTitle = (waiting > 0 ? '（' + waiting + '人等待）' : '') + PAGE_TITLE;
    applyTitle();

    if (focusId !== null) {
      var target = null;
      var items = els.queue.children;
      for (var j = 0; j < items.length; j++) {
        if (items[j].getAttribute('data-id') === focusId) {
          target = (focusClass && items[j].querySelector('.' + focusClass)) || items[j].querySelector('button');
        }
      }
      (target || els.queue).focus();
    }
  }

  function claim(item, button) {
    button.disabled = true;
    button.textContent = TEXT.claimBusy;
    api('POST', API + '/handoffs/' + encodeURIComponent(item.id) + '/claim').then(function (r) {
      if (r.ok) {
        var handoff = r.data.handoff || {};
        showStatus(TEXT.claimed, 'ok');
        selectTab('chat');
        openConversation(handoff.sender_id || item.sender_id, { focusReply: true });
        refreshQueue();
        return;
      }
      button.disabled = false;
      button.textContent = '接入';
      showStatus(errorText(r, TEXT.claimFailed), 'error');
      refreshQueue();
    });
  }

  function onQueueClick(event) {
    var button = H.closest(event.target, '.btn', els.queue);
    if (!button || button.disabled) {
      return;
    }
    var li = H.closest(button, '.queue-item', els.queue);
    var undeliveredSender = li && li.getAttribute('data-sender');
    if (undeliveredSender) {
      if (button.classList.contains('undelivered-seen')) {
        undeliveredSeen(undeliveredSender, button);
      } else {
        selectTab('chat');
        openConversation(undeliveredSender, {});
      }
      return;
    }
    var item = li && findItem(li.getAttribute('data-id'));
    if (!item) {
      return;
    }
    if (button.classList.contains('claim')) {
      claim(item, button);
    } else if (button.classList.contains('open')) {
      selectTab('chat');
      openConversation(item.sender_id, { focusReply: true });
    }
  }

  // The queue says something about the open conversation: keep its controls in step.
  function syncOpenWithQueue() {
    if (!state.conv || !state.openId || state.loading) {
      return;
    }
    var item = findItemBySender(state.openId);
    var h = state.conv.handoff;
    if (item) {
      if (!h || !sameId(h.id, item.id) || h.status !== item.status || !sameId(h.agent_id, item.agent_id)) {
        var merged = {};
        var key;
        for (key in h || {}) {
          if (Object.prototype.hasOwnProperty.call(h, key)) {
            merged[key] = h[key];
          }
        }
        for (key in item) {
          if (Object.prototype.hasOwnProperty.call(item, key)) {
            merged[key] = item[key];
          }
        }
        state.conv.handoff = merged;
        renderConvHeader();
        updateControls();
      }
    } else if (h && (h.status === 'waiting' || h.status === 'held')) {
      // It left the queue (handed back or closed elsewhere): read its state again.
      openConversation(state.openId);
    }
  }

  // ------------------------------------------------------------------ conversation

  function handoffState(h) {
    if (!h) {
      // No open handoff: the bot has the conversation (again, if I just ended it here).
      var ended = state.openId && state.ended[state.openId];
      if (ended === 'closed') {
        return { text: '已结束（智能助手继续值守）', hint: TEXT.hintClosed, mine: false };
      }
      if (ended === 'returned') {
        return { text: '已交还智能助手', hint: TEXT.hintReturned, mine: false };
      }
      return { text: '智能助手接待中', hint: TEXT.hintBot, mine: false };
    }
    switch (h.status) {
      case 'held':
        if (isMine(h)) {
          return { text: '由您接待中', hint: TEXT.hintMine, mine: true };
        }
        var who = str(h.agent) || '其他坐席';
        return { text: who + ' 接待中', hint: '这段对话由 ' + who + ' 接待，您只能查看。', mine: false };
      case 'waiting':
        return { text: '等待接入', hint: TEXT.hintWaiting, mine: false };
      case 'returned':
        return { text: '已交还智能助手', hint: TEXT.hintReturned, mine: false };
      case 'closed':
        return { text: '已结束', hint: TEXT.hintClosed, mine: false };
      default:
        return { text: str(h.status), hint: TEXT.hintBot, mine: false };
    }
  }

  function isSupervisor() {
    return !!(state.me && state.me.role === 'supervisor');
  }

  // The conversation is held by me (or I am a supervisor, who may step into any of them).
  function heldByMe() {
    return !!(state.conv && state.conv.handoff && state.conv.handoff.status === 'held' &&
      (isMine(state.conv.handoff) || isSupervisor()));
  }

  function renderConvHeader() {
    clear(els.convMeta);
    if (!state.openId) {
      els.convTitle.textContent = '当前对话';
      els.convMeta.textContent = '尚未打开对话';
      return;
    }
    els.convTitle.textContent = '与市民的对话';
    var conv = state.conv || {};
    var h = conv.handoff;
    var parts = [];
    var channel = str(conv.channel || (h && h.channel));
    if (channel) {
      parts.push(document.createTextNode(CHANNEL_NAMES[channel] || channel));
    }
    parts.push(document.createTextNode('市民编号 ' + state.openId));
    if (h && (h.reason_label || h.reason)) {
      parts.push(document.createTextNode('原因：' + str(h.reason_label || h.reason)));
    }
    if (state.conv) {
      var st = handoffState(h);
      parts.push(el('span', 'state' + (st.mine ? ' is-mine' : ''), st.text));
    }
    for (var i = 0; i < parts.length; i++) {
      if (i > 0) {
        els.convMeta.appendChild(document.createTextNode(' · '));
      }
      els.convMeta.appendChild(parts[i]);
    }
  }

  // Enable what the agent may do now: reply, hand back and close only when I hold it.
  function updateControls() {
    var open = !!(state.openId && state.conv);
    var mine = heldByMe();
    els.replyText.disabled = !mine;
    els.replySend.disabled = !mine;
    for (var i = 0; i < phraseButtons.length; i++) {
      phraseButtons[i].disabled = !mine;
    }
    els.handback.disabled = !mine;
    els.askExpert.disabled = !mine;
    els.transferExpert.disabled = !mine;
    els.close.disabled = !mine;
    // The server files an order only for a conversation held by an agent.
    els.orderFieldset.disabled = !mine;
    els.orderHint.hidden = mine || !open;
    els.noteText.disabled = !open;
    els.noteAdd.disabled = !open;
    var st = open ? handoffState(state.conv.handoff) : { hint: TEXT.hintNone, mine: false };
    els.replyHint.textContent = st.hint;
    els.replyHint.className = 'reply-hint' + (st.mine ? ' is-mine' : '');
  }

  function isNearBottom() {
    var t = els.transcript;
    return t.scrollHeight - t.scrollTop - t.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom() {
    els.transcript.scrollTop = els.transcript.scrollHeight;
    els.jumpNew.hidden = true;
  }

  function transcriptPlaceholder(text) {
    clear(els.transcript);
    state.lastDay = '';
    els.transcript.appendChild(el('p', 'empty transcript-empty', text));
  }

  // One transcript entry as an element (or null when it has nothing to show).
  function buildMessage(entry) {
    var author = AUTHOR_NAMES[entry.author] ? entry.author : 'system';
    var text = isString(entry.text) ? entry.text : '';
    var buttons = Array.isArray(entry.buttons) ? entry.buttons : [];
    var hasImage = !!entry.image;
    var hasAttachment = !!entry.attachment;
    if (!text && !buttons.length && !hasImage && !hasAttachment) {
      return null; // e.g. the bot's machine-only handoff signal
    }

    var box = el('div', 'msg msg-' + author);
    var meta = el('div', 'msg-meta');
    var who = AUTHOR_NAMES[author];
    if (author === 'agent' && entry.agent) {
      who += ' ' + str(entry.agent);
    }
    meta.appendChild(el('span', 'msg-who', who));
    var when = formatTime(entry.at);
    if (when) {
      meta.appendChild(el('span', 'msg-time', when));
    }
    box.appendChild(meta);

    var body = text || (hasImage ? TEXT.image : hasAttachment ? TEXT.attachment : '');
    if (body) {
      box.appendChild(el('div', 'msg-text', body));
    } else if (!buttons.length) {
      box.appendChild(el('div', 'msg-text is-empty', TEXT.noText));
    }

    var delivery = entry.delivery;
    if (delivery && typeof delivery === 'object') {
      var failed = el('p', 'msg-delivery' + (delivery.status === 'undelivered' ? ' is-undelivered' : ''));
      failed.appendChild(el('strong', null, str(delivery.label || '未送达')));
      if (delivery.reason) {
        failed.appendChild(document.createTextNode('：' + str(delivery.reason)));
      }
      box.appendChild(failed);
    }

    if (buttons.length) {
      var chips = el('div', 'msg-chips');
      chips.setAttribute('aria-label', '智能助手给出的选项');
      for (var i = 0; i < buttons.length; i++) {
        var b = buttons[i] || {};
        chips.appendChild(el('span', 'chip', str(b.title || b.payload)));
      }
      box.appendChild(chips);
    }
    return box;
  }

  // Adds a day line when the day changes (conversations can span days).
  function addDayDivider(entry) {
    var d = parseTime(entry.at) || new Date();
    var key = dayKey(d);
    if (key !== state.lastDay) {
      if (state.lastDay || formatDay(d) !== '今天') {
        els.transcript.appendChild(el('p', 'day-divider', formatDay(d)));
      }
      state.lastDay = key;
    }
  }

  function renderTranscript(entries) {
    els.transcript.setAttribute('aria-busy', 'true');
    clear(els.transcript);
    state.lastDay = '';
    var shown = 0;
    for (var i = 0; i < entries.length; i++) {
      var node = buildMessage(entries[i]);
      if (node) {
        addDayDivider(entries[i]);
        els.transcript.appendChild(node);
        shown++;
      }
    }
    if (!shown) {
      transcriptPlaceholder(TEXT.noMessages);
    }
    els.transcript.setAttribute('aria-busy', 'false');
    scrollToBottom();
  }

  function appendEntry(entry, forceScroll) {
    var node = buildMessage(entry);
    if (!node) {
      return;
    }
    var stick = forceScroll || isNearBottom();
    var placeholder = els.transcript.querySelector('.transcript-empty');
    if (placeholder) {
      els.transcript.removeChild(placeholder);
    }
    addDayDivider(entry);
    els.transcript.appendChild(node);
    if (state.conv && Array.isArray(state.conv.transcript)) {
      state.conv.transcript.push(entry);
    }
    if (stick) {
      scrollToBottom();
    } else {
      els.jumpNew.hidden = false;
    }
  }

  // A live message entry ({author, text, data}) in the shape of the transcript's entries.
  function liveEntry(raw) {
    var data = raw.data && typeof raw.data === 'object' ? raw.data : {};
    var text = isString(data._shown) && data._shown ? data._shown : raw.text;
    return {
      author: raw.author,
      text: isString(text) ? text : null,
      at: raw.at || new Date().toISOString(),
      buttons: raw.buttons || data.buttons,
      image: raw.image || data.image,
      attachment: raw.attachment || data.attachment,
      agent: raw.agent || data.agent
    };
  }

  // My reply coming back over the WebSocket: shown once, whichever arrives first.
  function takeEcho(entry) {
    if (entry.author !== 'agent' || !isString(entry.text)) {
      return false;
    }
    var now = Date.now();
    var text = entry.text.trim();
    state.sends = state.sends.filter(function (s) {
      return now - s.at < ECHO_KEEP_MS;
    });
    for (var i = 0; i < state.sends.length; i++) {
      var s = state.sends[i];
      if (s.text === text && !s.echoed) {
        s.echoed = true;
        if (s.shown) {
          state.sends.splice(i, 1);
          return true; // already on screen
        }
        s.shown = true;
        appendEntry(entry, true);
        return true;
      }
    }
    return false;
  }

  function onLiveMessage(senderId, raw) {
    if (!raw || typeof raw !== 'object') {
      return;
    }
    var entry = liveEntry(raw);
    if (senderId === state.openId) {
      if (state.loading) {
        state.buffered.push(entry);
        return;
      }
      if (!takeEcho(entry)) {
        appendEntry(entry, false);
      }
      return;
    }
    if (findItemBySender(senderId) && !state.unread[senderId]) {
      state.unread[senderId] = true;
      renderQueue();
    }
  }

  // Live messages that came while the conversation loaded, unless the load already had them.
  function flushBuffered() {
    var buffered = state.buffered;
    state.buffered = [];
    var known = (state.conv && state.conv.transcript) || [];
    var tail = known.slice(Math.max(0, known.length - buffered.length - 3));
    for (var i = 0; i < buffered.length; i++) {
      var e = buffered[i];
      var dup = false;
      for (var j = 0; j < tail.length; j++) {
        if (tail[j].author === e.author && str(tail[j].text) === str(e.text)) {
          tail.splice(j, 1);
          dup = true;
          break;
        }
      }
      if (!dup && !takeEcho(e)) {
        appendEntry(e, false);
      }
    }
  }

  function saveDraft() {
    if (state.openId) {
      state.drafts[state.openId] = els.replyText.value;
    }
  }

  // Opens (or, for the open one, reads again) a conversation. opts.focusReply: focus the reply box.
  function openConversation(senderId, opts) {
    opts = opts || {};
    var same = senderId === state.openId;
    if (!same) {
      saveDraft();
      state.openId = senderId;
      state.conv = null;
      state.sends = [];
      state.formDirty = false;
      els.replyText.value = state.drafts[senderId] || '';
      els.fileResult.textContent = '';
      els.fileResult.className = 'result';
      els.jumpNew.hidden = true;
      transcriptPlaceholder(TEXT.loading);
      renderConvHeader();
      updateControls();
    }
    if (state.unread[senderId]) {
      delete state.unread[senderId];
    }
    renderQueue();

    var seq = ++state.loadSeq;
    state.loading = true;
    state.buffered = same ? state.buffered : [];
    return api('GET', convUrl(senderId)).then(function (r) {
      if (seq !== state.loadSeq) {
        return; // a newer load has started
      }
      state.loading = false;
      if (!r.ok) {
        showStatus(errorText(r, TEXT.loadFailed), 'error');
        if (!state.conv) {
          transcriptPlaceholder(TEXT.loadFailed);
        }
        state.buffered = [];
        return;
      }
      var conv = r.data;
      if (!Array.isArray(conv.transcript)) {
        conv.transcript = [];
      }
      state.conv = conv;
      // The queue knows the holder's name; the conversation only the holder's id.
      var item = findItemBySender(senderId);
      if (conv.handoff && item && sameId(item.id, conv.handoff.id) && !conv.handoff.agent) {
        conv.handoff.agent = item.agent;
      }
      renderConversation(conv, same);
      flushBuffered();
      if (opts.focusReply && heldByMe()) {
        focusReplyIfIdle();
      }
    });
  }

  function renderConversation(conv, refresh) {
    renderConvHeader();
    renderTranscript(conv.transcript);
    // A refresh keeps what the agent typed into the work order.
    if (!refresh || !state.formDirty) {
      fillForm('f-', conv.fields || {}, null);
      state.formDirty = false;
    }
    els.fieldsError.textContent = str(conv.fields_error);
    els.fieldsError.hidden = !conv.fields_error;
    renderOrders(conv.orders || []);
    renderNotes(conv.notes || []);
    updateControls();
    tickWaits();
  }

  function sendReply() {
    if (!heldByMe() || els.replySend.disabled) {
      return;
    }
    var text = els.replyText.value.trim();
    if (!text) {
      showStatus(TEXT.replyEmpty, 'error');
      els.replyText.focus();
      return;
    }
    var senderId = state.openId;
    var send = { text: text, at: Date.now(), shown: false, echoed: false };
    state.sends.push(send);
    els.replySend.disabled = true;
    els.replyText.setAttribute('aria-busy', 'true');
    api('POST', convUrl(senderId, 'reply'), { text: text }).then(function (r) {
      els.replyText.removeAttribute('aria-busy');
      if (senderId !== state.openId) {
        return;
      }
      updateControls();
      if (!r.ok) {
        state.sends.splice(state.sends.indexOf(send), 1);
        showStatus(errorText(r, TEXT.replyFailed), 'error');
        if (r.status === 409) {
          refreshQueue();
          openConversation(senderId);
        }
        return;
      }
      // Clear only what was sent (the agent may have typed on meanwhile).
      if (els.replyText.value.trim() === text) {
        els.replyText.value = '';
      }
      state.drafts[senderId] = '';
      if (!send.shown) {
        send.shown = true;
        var agentName = state.me ? state.me.display_name : '';
        appendEntry({ author: 'agent', text: text, at: new Date().toISOString(), agent: agentName }, true);
      } else {
        state.sends.splice(state.sends.indexOf(send), 1);
      }
      if (!els.replyText.disabled) {
        focusReplyIfIdle();
      }
    });
  }

  // Move the cursor to the reply box only when the agent is not typing somewhere else:
  // an answer arriving must never send their keystrokes into another field.
  function focusReplyIfIdle() {
    var active = document.activeElement;
    var busy = active && active !== els.replyText && active !== els.replySend &&
      /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
    if (!busy) {
      els.replyText.focus();
    }
  }

  function onReplyKey(event) {
    if (event.key !== 'Enter' || event.isComposing || event.keyCode === 229) {
      return; // 229: the input method is still composing (Chinese IME)
    }
    if (event.shiftKey || event.altKey) {
      return; // a new line
    }
    event.preventDefault();
    sendReply();
  }

  function insertPhrase(key) {
    var phrase = PHRASES[key];
    var box = els.replyText;
    if (!phrase || box.disabled) {
      return;
    }
    var start = box.selectionStart;
    var end = box.selectionEnd;
    if (typeof start === 'number' && document.activeElement === box) {
      box.value = box.value.slice(0, start) + phrase + box.value.slice(end);
      box.selectionStart = box.selectionEnd = start + phrase.length;
    } else {
      box.value = box.value ? box.value.replace(/\s+$/, '') + phrase : phrase;
      box.selectionStart = box.selectionEnd = box.value.length;
    }
    box.focus();
  }

  // Hand back to the bot ('handback') or close ('close') the conversation I hold.
  function endConversation(action) {
    if (!heldByMe()) {
      return;
    }
    if (action === 'close' && !window.confirm(TEXT.confirmClose)) {
      return;
    }
    var senderId = state.openId;
    els.handback.disabled = true;
    els.close.disabled = true;
    api('POST', convUrl(senderId, action)).then(function (r) {
      if (!r.ok) {
        updateControls();
        showStatus(errorText(r, TEXT.endFailed), 'error');
        if (r.status === 409) {
          refreshQueue();
          openConversation(senderId);
        }
        return;
      }
      showStatus(action === 'close' ? TEXT.closed : TEXT.handedBack, 'ok');
      state.ended[senderId] = action === 'close' ? 'closed' : 'returned';
      if (senderId === state.openId && state.conv) {
        if (r.data.handoff) {
          state.conv.handoff = r.data.handoff;
        } else if (state.conv.handoff) {
          state.conv.handoff.status = action === 'close' ? 'closed' : 'returned';
        }
        renderConvHeader();
        updateControls();
      }
      saveDraft();
      refreshQueue();
      if (senderId === state.openId) {
        openConversation(senderId);
      }
    });
  }

  // Expert seat (通辽条例第十五条): ask the citizen first, transfer only with their consent.
  function askExpert() {
    if (!heldByMe()) {
      return;
    }
    api('POST', convUrl(state.openId, 'ask-expert')).then(function (r) {
      showStatus(r.ok ? TEXT.askedExpert : errorText(r, TEXT.endFailed), r.ok ? 'ok' : 'error');
    });
  }

  function transferExpert() {
    if (!heldByMe() || !window.confirm(TEXT.confirmExpert)) {
      return;
    }
    var senderId = state.openId;
    api('POST', convUrl(senderId, 'transfer-expert'), { consent: true }).then(function (r) {
      if (!r.ok) {
        showStatus(errorText(r, TEXT.endFailed), 'error');
        return;
      }
      showStatus(TEXT.transferred, 'ok');
      refreshQueue();
      openConversation(senderId);
    });
  }

  // ------------------------------------------------------------------ work order forms

  function formEl(prefix, name) {
    return byId(prefix + name);
  }

  // Puts fields into a form (prefix 'f-' or 'c-'); skip: ids the agent has typed into.
  function fillForm(prefix, fields, skip) {
    for (var i = 0; i < ORDER_FIELDS.length; i++) {
      var name = ORDER_FIELDS[i];
      var input = formEl(prefix, name);
      if (!input || (skip && skip[input.id])) {
        continue;
      }
      var value = fields[name];
      if (input.type === 'checkbox') {
        if (name === 'wants_reply') {
          input.checked = value !== false; // default: the citizen wants an answer
        } else {
          input.checked = value === true;
        }
      } else if (name === 'request_type') {
        input.value = REQUEST_TYPES.indexOf(value) >= 0 ? value : '';
      } else {
        input.value = str(value);
      }
    }
  }

  // The form as the API wants it: strings trimmed (empty ones as null), two booleans.
  function readForm(prefix) {
    var out = {};
    for (var i = 0; i < ORDER_FIELDS.length; i++) {
      var name = ORDER_FIELDS[i];
      var input = formEl(prefix, name);
      if (input.type === 'checkbox') {
        out[name] = !!input.checked;
      } else {
        var v = input.value.trim();
        out[name] = v === '' ? null : v;
      }
    }
    return out;
  }

  // Client-side check of what the server needs anyway; returns the field to fix or null.
  function missingField(prefix, fields) {
    if (!fields.request_type) {
      return { input: formEl(prefix, 'request_type'), text: TEXT.fileNeedsType };
    }
    if (!fields.content) {
      return { input: formEl(prefix, 'content'), text: TEXT.fileNeedsContent };
    }
    return null;
  }

  // 「已提交工单 AS-…，办理时限 …」 into a result line.
  // A repeat of an open order is told, not filed twice; further matters for other units are
  // orders of their own (the same filing as the bot's: bot/orders/filing.py).
  function showOrderResult(box, order, prefix) {
    clear(box);
    box.className = 'result is-ok';
    if (order.repeat) {
      prefix = TEXT.fileRepeat;
    }
    box.appendChild(document.createTextNode((prefix || '已提交工单') + ' '));
    box.appendChild(el('span', 'order-no', str(order.number)));
    if (order.repeat && order.status_label) {
      box.appendChild(document.createTextNode('（' + str(order.status_label) + '）'));
    }
    if (order.deadline) {
      box.appendChild(document.createTextNode('，办理时限 ' + formatDate(order.deadline)));
    }
    var others = Array.isArray(order.others) ? order.others : [];
    if (others.length) {
      box.appendChild(document.createTextNode(TEXT.fileOthers.replace('{n}', String(others.length))));
      for (var i = 0; i < others.length; i++) {
        box.appendChild(el('span', 'order-no', str((others[i] || {}).number)));
        box.appendChild(document.createTextNode(i + 1 < others.length ? '、' : ''));
      }
    }
  }

  function showResultError(box, text) {
    clear(box);
    box.className = 'result is-error';
    box.textContent = text;
  }

  function fileOrder(event) {
    event.preventDefault();
    if (!state.openId || !state.conv || els.orderFieldset.disabled) {
      return;
    }
    var senderId = state.openId;
    var fields = readForm('f-');
    var missing = missingField('f-', fields);
    if (missing) {
      showResultError(els.fileResult, missing.text);
      missing.input.focus();
      return;
    }
    var earlier = state.filed[senderId];
    if (earlier && !window.confirm(TEXT.refile.replace('{n}', earlier))) {
      return;
    }
    els.fileBtn.disabled = true;
    els.fileBtn.textContent = TEXT.fileBusy;
    api('POST', convUrl(senderId, 'file'), fields).then(function (r) {
      els.fileBtn.disabled = false;
      els.fileBtn.textContent = '提交工单';
      if (senderId !== state.openId) {
        return;
      }
      if (!r.ok) {
        showResultError(els.fileResult, errorText(r, TEXT.fileFailed));
        return;
      }
      var order = r.data.order || {};
      state.filed[senderId] = str(order.number);
      state.formDirty = false;
      showOrderResult(els.fileResult, order);
      showStatus((order.repeat ? TEXT.fileRepeat : '已提交工单') + ' ' + str(order.number), 'ok');
      openConversation(senderId); // the new order in the list, the handoff's state
    });
  }

  function renderOrders(orders) {
    clear(els.orders);
    for (var i = 0; i < orders.length; i++) {
      var o = orders[i] || {};
      var li = el('li', 'order');
      var head = el('div', 'order-head');
      head.appendChild(el('span', 'order-no', o.number));
      var statusBadge = el('span', 'order-status' + (DONE_ORDER_STATUSES[o.status] ? ' is-done' : ''),
        '状态：' + str(o.status_label || o.status || '未知'));
      head.appendChild(statusBadge);
      var type = o.request_type || o.type;
      if (type) {
        head.appendChild(el('span', 'order-type', type));
      }
      li.appendChild(head);
      var meta = [];
      if (o.created_at) {
        meta.push('登记于 ' + formatTime(o.created_at));
      }
      if (o.deadline) {
        meta.push('办理时限 ' + formatDate(o.deadline));
      }
      if (meta.length) {
        li.appendChild(el('p', 'order-meta', meta.join(' · ')));
      }
      if (o.content) {
        var content = el('p', 'order-content', shorten(o.content, 60));
        content.title = str(o.content);
        li.appendChild(content);
      }
      els.orders.appendChild(li);
    }
    els.ordersEmpty.hidden = orders.length > 0;
  }

  function buildNote(note) {
    var li = el('li', 'note');
    li.appendChild(el('p', 'note-text', note.text));
    var meta = [];
    if (note.agent) {
      meta.push(str(note.agent));
    }
    if (note.created_at) {
      meta.push(formatTime(note.created_at));
    }
    if (meta.length) {
      li.appendChild(el('p', 'note-meta', meta.join(' · ')));
    }
    return li;
  }

  function renderNotes(notes) {
    clear(els.notes);
    for (var i = 0; i < notes.length; i++) {
      els.notes.appendChild(buildNote(notes[i] || {}));
    }
    els.notesEmpty.hidden = notes.length > 0;
  }

  function addNote() {
    if (!state.openId || els.noteAdd.disabled) {
      return;
    }
    var text = els.noteText.value.trim();
    if (!text) {
      showStatus(TEXT.noteEmpty, 'error');
      els.noteText.focus();
      return;
    }
    var senderId = state.openId;
    els.noteAdd.disabled = true;
    api('POST', convUrl(senderId, 'note'), { text: text }).then(function (r) {
      els.noteAdd.disabled = !state.conv;
      if (!r.ok) {
        showStatus(errorText(r, TEXT.noteFailed), 'error');
        return;
      }
      if (senderId !== state.openId) {
        return;
      }
      var note = r.data.note || (isString(r.data.text) ? r.data : null) || {
        text: text,
        agent: state.me ? state.me.display_name : '',
        created_at: new Date().toISOString()
      };
      els.notes.appendChild(buildNote(note));
      els.notesEmpty.hidden = true;
      if (state.conv) {
        state.conv.notes = (state.conv.notes || []).concat([note]);
      }
      els.noteText.value = '';
      els.noteText.focus();
      showStatus(TEXT.noteAdded, 'ok');
    });
  }

  // ------------------------------------------------------------------ phone call

  function newCall() {
    state.call = { id: randomId(), touched: {}, filedNumber: null };
    els.callId.textContent = state.call.id;
    els.callText.value = '';
    fillForm('c-', {}, null);
    els.callReading.hidden = true;
    els.callEmergency.hidden = true;
    clear(els.callEmergency);
    els.callScope.hidden = true;
    els.callScope.textContent = '';
    clear(els.callSuggest);
    clear(els.callResult);
    els.callResult.className = 'result';
  }

  function resetCall() {
    var hasContent = els.callText.value.trim() || els.callForm.querySelector('#c-content').value.trim();
    if (hasContent && !state.call.filedNumber && !window.confirm(TEXT.confirmCallReset)) {
      return;
    }
    newCall();
    showStatus(TEXT.callReset, 'ok');
    els.callText.focus();
  }

  function addSuggestion(term, value, emptyText) {
    els.callSuggest.appendChild(el('dt', '', term));
    els.callSuggest.appendChild(el('dd', value ? '' : 'is-none', value || emptyText));
  }

  function renderEmergency(emergency) {
    clear(els.callEmergency);
    if (!emergency) {
      els.callEmergency.hidden = true;
      return;
    }
    var numbers = Array.isArray(emergency.numbers) ? emergency.numbers.map(str) : [];
    els.callEmergency.hidden = false;
    els.callEmergency.appendChild(
      el('p', 'alert-title', '紧急情况：请立即转 ' + (numbers.length ? numbers.join('、') : '相应的紧急电话'))
    );
    var detail = [];
    var kind = EMERGENCY_KIND_NAMES[emergency.kind] || str(emergency.kind);
    if (kind) {
      detail.push('类型：' + kind);
    }
    var named = numbers.map(function (n) {
      return EMERGENCY_NUMBER_NAMES[n] ? n + '（' + EMERGENCY_NUMBER_NAMES[n] + '）' : n;
    });
    if (named.length) {
      detail.push('电话：' + named.join('、'));
    }
    if (emergency.matched) {
      detail.push('依据：“' + str(emergency.matched) + '”');
    }
    if (detail.length) {
      els.callEmergency.appendChild(el('p', 'alert-detail', detail.join('；')));
    }
  }

  function renderReading(reading, typed) {
    reading = reading || {};
    els.callReading.hidden = false;
    renderEmergency(reading.emergency);
    if (reading.emergency && reading.desk_alert) {
      els.callEmergency.appendChild(el('p', 'alert-detail', '已记录到值班台（警情 #' + str(reading.desk_alert) + '）。'));
    }

    var scope = reading.out_of_scope;
    els.callScope.hidden = !scope;
    els.callScope.textContent = scope
      ? '可能不属于12345受理范围，建议引导至：' + str(scope.name || scope.route)
      : '';

    clear(els.callSuggest);
    addSuggestion('诉求类型', reading.type, '未能识别，请手动选择');
    addSuggestion('事项分类', displayName(reading.topic), '暂无');
    var unit = displayName(reading.unit);
    var confidence = typeof reading.confidence === 'number' ? reading.confidence : null;
    if (unit && confidence !== null) {
      var pct = Math.round(confidence <= 1 ? confidence * 100 : confidence);
      unit += '（把握 ' + pct + '%）';
    }
    addSuggestion('建议承办单位', unit, '暂无建议，请按规定派单');

    // Fill what the agent has not typed into by hand.
    var f = reading.fields || {};
    var fields = {
      request_type: reading.type,
      content: typed,
      address: f.address,
      district: f.district,
      name: f.name,
      phone: f.phone,
      confidential: f.confidential,
      wants_reply: f.wants_reply
    };
    fillForm('c-', fields, state.call.touched);
  }

  function runTriage() {
    var text = els.callText.value.trim();
    if (!text) {
      showStatus(TEXT.triageEmpty, 'error');
      els.callText.focus();
      return;
    }
    els.callTriage.disabled = true;
    els.callTriage.textContent = TEXT.triageBusy;
    api('POST', API + '/triage', { text: text, call_id: state.call.id }).then(function (r) {
      els.callTriage.disabled = false;
      els.callTriage.textContent = '智能识别';
      if (!r.ok) {
        showStatus(errorText(r, TEXT.triageFailed), 'error');
        return;
      }
      renderReading(r.data, text);
    });
  }

  function fileCall(event) {
    event.preventDefault();
    var fields = readForm('c-');
    var missing = missingField('c-', fields);
    if (missing) {
      showResultError(els.callResult, missing.text);
      missing.input.focus();
      return;
    }
    els.callFile.disabled = true;
    els.callFile.textContent = TEXT.fileBusy;
    var callId = state.call.id;
    api('POST', API + '/calls', { call_id: callId, fields: fields }).then(function (r) {
      els.callFile.disabled = false;
      els.callFile.textContent = '提交来电工单';
      if (callId !== state.call.id) {
        return; // the form was cleared meanwhile
      }
      if (!r.ok) {
        showResultError(els.callResult, errorText(r, TEXT.callFailed));
        return;
      }
      var order = r.data.order || {};
      state.call.filedNumber = str(order.number);
      showOrderResult(els.callResult, order, '已提交来电工单');
      showStatus(TEXT.callFiled + ' ' + str(order.number), 'ok');
    });
  }

  // ------------------------------------------------------------------ duty desk: emergency alerts

  // Every agent and supervisor gets the alerts on the WebSocket ({type: 'alerts', items, ...})
  // when the page connects and whenever one changes. A new one that nobody has acknowledged
  // (or one escalated) beeps, flashes the title until all are acknowledged and is announced in
  // the assertive live region above the strip (read out, and readable without sound).

  function alertUrl(id, action) {
    return API + '/alerts/' + encodeURIComponent(id) + '/' + action;
  }

  function isOpenAlert(item) {
    return !item.acknowledged_at;
  }

  function findAlert(id) {
    var items = state.desk.items;
    for (var i = 0; i < items.length; i++) {
      if (sameId(items[i].id, id)) {
        return items[i];
      }
    }
    return null;
  }

  // A possible emergency (the citizen was given the numbers in one conditional line) is listed
  // for the duty staff to look at, but does not call for attention nor go up to the supervisors.
  function callsAttention(item) {
    return isOpenAlert(item) && item.level !== 'possible';
  }

  function openAlertCount() {
    var n = 0;
    for (var i = 0; i < state.desk.items.length; i++) {
      if (callsAttention(state.desk.items[i])) {
        n++;
      }
    }
    return n;
  }

  // Open ones first (for a supervisor the escalated ones before them), newest first within.
  function alertRank(item) {
    if (!isOpenAlert(item)) {
      return 2;
    }
    return isSupervisor() && item.escalated_at ? 0 : 1;
  }

  function sortAlerts(items) {
    var indexed = items.map(function (item, i) {
      return { item: item, i: i };
    });
    indexed.sort(function (a, b) {
      return alertRank(a.item) - alertRank(b.item) || a.i - b.i;
    });
    return indexed.map(function (x) {
      return x.item;
    });
  }

  // The parts of a time in China (UTC+8).
  function chinaParts(d) {
    var c = new Date(d.getTime() + CHINA_OFFSET_MS);
    return {
      y: c.getUTCFullYear(), m: c.getUTCMonth() + 1, d: c.getUTCDate(),
      hh: c.getUTCHours(), mm: c.getUTCMinutes(), ss: c.getUTCSeconds()
    };
  }

  // 「14:05:09」 today (China time), 「11月22日 14:05:09」 another day.
  function formatChinaClock(value) {
    var d = parseTime(value);
    if (!d) {
      return '';
    }
    var c = chinaParts(d);
    var now = chinaParts(new Date());
    var clock = pad2(c.hh) + ':' + pad2(c.mm) + ':' + pad2(c.ss);
    if (c.y === now.y && c.m === now.m && c.d === now.d) {
      return clock;
    }
    return (c.y === now.y ? '' : c.y + '年') + c.m + '月' + c.d + '日 ' + clock;
  }

  function secondsSince(value) {
    var d = parseTime(value);
    return d ? Math.max(0, (Date.now() - d.getTime()) / 1000) : null;
  }

  function agoText(value) {
    var s = secondsSince(value);
    if (s === null) {
      return '';
    }
    return s < 5 ? '刚刚' : formatDuration(s) + '前';
  }

  function channelName(channel) {
    channel = str(channel);
    return CHANNEL_NAMES[channel] || channel || '其他';
  }

  function numbersText(item) {
    var numbers = Array.isArray(item.numbers) ? item.numbers : [];
    return numbers.length ? '已告知拨打 ' + numbers.join('、') : '';
  }

  // The linkage units by state, those that need a person first: 「待重发 消防119指挥中心（已试 2 次）」,
  // 「已送达 公安110指挥中心、120急救指挥中心」, 「仅记录 …（未接通推送，请电话通知）」.
  function deliveryLines(deliveries) {
    var groups = { retry: [], pending: [], sending: [], delivered: [], logged: [], other: [] };
    for (var i = 0; i < deliveries.length; i++) {
      var d = deliveries[i] || {};
      var name = str(d.name || d.contact);
      if (d.status === 'pending' && d.attempts > 0) {
        groups.retry.push(name + '（已试 ' + d.attempts + ' 次）');
      } else if (groups[d.status] && d.status !== 'retry' && d.status !== 'other') {
        groups[d.status].push(name);
      } else {
        groups.other.push(name);
      }
    }
    var words = {
      retry: ['待重发 ', ''],
      pending: ['待发送 ', ''],
      sending: ['正在发送 ', ''],
      delivered: ['已送达 ', ''],
      logged: ['仅记录 ', '（未接通推送，请电话通知）'],
      other: ['状态不明 ', '']
    };
    var lines = [];
    var order = ['retry', 'pending', 'sending', 'delivered', 'logged', 'other'];
    for (var j = 0; j < order.length; j++) {
      var key = order[j];
      if (groups[key].length) {
        lines.push({ kind: key, text: words[key][0] + groups[key].join('、') + words[key][1] });
      }
    }
    return lines;
  }

  // ---- the title, the sound, the announcement

  function applyTitle() {
    document.title = state.desk.flashOn ? FLASH_TITLE + openAlertCount() + '条待确认 · ' + PAGE_TITLE : state.baseTitle;
  }

  function startFlash() {
    var desk = state.desk;
    if (desk.flashTimer) {
      return;
    }
    desk.flashOn = true;
    applyTitle();
    desk.flashTimer = window.setInterval(function () {
      if (!openAlertCount()) {
        stopFlash();
        return;
      }
      desk.flashOn = !desk.flashOn;
      applyTitle();
    }, FLASH_MS);
  }

  function stopFlash() {
    var desk = state.desk;
    if (desk.flashTimer) {
      window.clearInterval(desk.flashTimer);
      desk.flashTimer = null;
    }
    desk.flashOn = false;
    applyTitle();
  }

  function audioRunning() {
    return !!(state.desk.audio && state.desk.audio.state === 'running');
  }

  // Browsers let a page make sound only after the user has done something on it: the audio
  // is made (or resumed) at a click or a key press, never before (no warnings, no errors).
  function unlockAudio(then) {
    var desk = state.desk;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) {
      return;
    }
    try {
      if (!desk.audio) {
        desk.audio = new Ctx();
      }
      if (desk.audio.state !== 'running' && desk.audio.resume) {
        var resumed = desk.audio.resume();
        if (resumed && resumed.then) {
          resumed.then(function () {
            updateSoundButton();
            if (then) {
              then();
            }
          }, function () {});
          return;
        }
      }
    } catch (e) {
      desk.audio = null;
      return;
    }
    updateSoundButton();
    if (then) {
      then();
    }
  }

  // A short beep (two tones; four for an escalated alert) from an oscillator: no audio file.
  function beep(urgent) {
    var ctx = state.desk.audio;
    if (!audioRunning()) {
      state.desk.soundMissed = true;
      updateSoundButton();
      return;
    }
    try {
      var tones = urgent ? [988, 740, 988, 740] : [880, 660];
      var t0 = ctx.currentTime + 0.02;
      for (var i = 0; i < tones.length; i++) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        var at = t0 + i * 0.22;
        osc.type = 'sine';
        osc.frequency.setValueAtTime(tones[i], at);
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(at);
        osc.stop(at + 0.2);
      }
    } catch (e) {
      // no sound this time: the title and the announcement still call attention
    }
  }

  function updateSoundButton() {
    els.deskSound.hidden = !(state.desk.soundMissed && !audioRunning() && openAlertCount() > 0);
  }

  // Read out at once (emptied first, so that the same words twice are read twice); stays shown
  // above the strip until every alert is acknowledged.
  function announce(text) {
    els.deskLive.textContent = '';
    window.setTimeout(function () {
      els.deskLive.textContent = text;
    }, 50);
  }

  function announcementOf(calls) {
    var parts = [];
    calls = calls.slice().sort(function (a, b) {
      return (b.escalated ? 1 : 0) - (a.escalated ? 1 : 0); // the escalated ones first
    });
    for (var i = 0; i < calls.length; i++) {
      var item = calls[i].item;
      var what = str(item.kind_label) || '紧急情况';
      var numbers = numbersText(item);
      var head = calls[i].escalated
        ? '警情已升级（超过' + Math.round(state.desk.escalateAfter) + '秒无人确认）：'
        : item.level === 'possible' ? '新警情（可能紧急）：' : '新紧急警情：';
      parts.push(head + what + (numbers ? '，' + numbers : '') + '。' + channelName(item.channel) + '市民说：' +
        shorten(item.text, 40) + (item.place ? '。地点：' + str(item.place) : '') + '。');
    }
    return parts.join(' ') + '请立即处置并点「确认接警」。';
  }

  function callAttention(calls) {
    var urgent = false;
    for (var i = 0; i < calls.length; i++) {
      urgent = urgent || calls[i].escalated;
    }
    beep(urgent);
    state.desk.announced = calls.map(function (call) {
      return str(call.item.id);
    });
    announce(announcementOf(calls));
    startFlash();
  }

  // ---- the alerts from the server

  function setAlerts(msg) {
    var desk = state.desk;
    var items = Array.isArray(msg.items) ? msg.items : [];
    if (typeof msg.escalate_after === 'number') {
      desk.escalateAfter = msg.escalate_after;
    }
    var escalatedNow = {};
    var escalated = Array.isArray(msg.escalated) ? msg.escalated : [];
    for (var e = 0; e < escalated.length; e++) {
      escalatedNow[str(escalated[e])] = true;
    }
    var calls = [];
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var id = str(item.id);
      var open = isOpenAlert(item);
      var isNew = !desk.known[id];
      var isEscalated = !!item.escalated_at || !!escalatedNow[id];
      var newlyEscalated = isEscalated && !desk.escalatedKnown[id];
      desk.known[id] = true;
      if (isEscalated) {
        desk.escalatedKnown[id] = true;
      }
      if (callsAttention(item) && (isNew || newlyEscalated)) {
        calls.push({ item: item, escalated: newlyEscalated });
      }
    }
    desk.items = items;
    renderDesk();
    if (calls.length) {
      callAttention(calls);
    }
    settleAttention();
  }

  // Every alert acknowledged: the title, the announcement and the sound offer stop.
  function settleAttention() {
    var desk = state.desk;
    if (!openAlertCount()) {
      stopFlash();
      desk.soundMissed = false;
    }
    // The announcement stays shown while what it names is still open.
    for (var i = 0; i < desk.announced.length; i++) {
      var item = findAlert(desk.announced[i]);
      if (!item || !isOpenAlert(item)) {
        desk.announced = [];
        els.deskLive.textContent = '';
        break;
      }
    }
    updateSoundButton();
  }

  // An alert as the server returned it after a step here (the WebSocket says so too, shortly).
  function replaceAlert(alert) {
    if (!alert || alert.id === undefined) {
      return;
    }
    var items = state.desk.items;
    for (var i = 0; i < items.length; i++) {
      if (sameId(items[i].id, alert.id)) {
        items[i] = alert;
      }
    }
  }

  // ---- the strip

  function addTimeCell(node, item, kind) {
    var cell = { el: node, item: item, kind: kind };
    updateTimeCell(cell);
    state.desk.timeCells.push(cell);
    return node;
  }

  function updateTimeCell(cell) {
    var item = cell.item;
    if (cell.kind === 'ago') {
      cell.el.textContent = '（' + agoText(item.received_at) + '）';
      return;
    }
    // 'due': the time left before the alert goes up to the supervisors
    var left = state.desk.escalateAfter - (secondsSince(item.received_at) || 0);
    cell.el.textContent = left > 0
      ? Math.ceil(left) + '秒内未确认将升级至班长'
      : '未确认，即将升级至班长';
    cell.el.className = 'da-due' + (left <= 20 ? ' is-soon' : '');
  }

  function tickDesk() {
    var cells = state.desk.timeCells;
    for (var i = 0; i < cells.length; i++) {
      updateTimeCell(cells[i]);
    }
  }

  function appendParts(parent, parts) {
    for (var i = 0; i < parts.length; i++) {
      if (i > 0) {
        parent.appendChild(document.createTextNode(' · '));
      }
      parent.appendChild(parts[i]);
    }
  }

  function deskButton(text, className, role, describedBy, busy) {
    var b = el('button', 'btn ' + className, text);
    b.type = 'button';
    b.setAttribute('data-role', role);
    b.setAttribute('aria-describedby', describedBy);
    if (busy) {
      b.setAttribute('aria-disabled', 'true');
    }
    return b;
  }

  // One alert. An acknowledged one is a compact greyed row (who, when, the note) until its
  // 「详情」 is opened.
  function buildAlert(item) {
    var desk = state.desk;
    var id = str(item.id);
    var open = isOpenAlert(item);
    var escalated = !!item.escalated_at;
    var possible = item.level === 'possible';
    var busy = !!desk.busy[id];
    var compact = !open && !desk.details[id];
    var li = el('li', 'desk-item ' + (open ? 'is-open' : 'is-done') + (open && escalated ? ' is-escalated' : '') +
      (possible ? ' is-possible' : '') + (compact ? ' is-compact' : ''));
    li.setAttribute('data-id', id);
    if (busy) {
      li.setAttribute('aria-busy', 'true');
    }
    var headId = 'da-head-' + id;
    var main = el('div', 'da-main');

    // 火情/爆炸 [已升级] [可能紧急] 已告知拨打 119、120
    var head = el('h3', 'da-head');
    head.id = headId;
    head.appendChild(el('span', 'da-kind', str(item.kind_label) || '紧急情况'));
    if (escalated) {
      head.appendChild(el('span', 'da-badge da-badge-escalated', '已升级'));
    }
    if (possible) {
      head.appendChild(el('span', 'da-badge da-badge-possible', '可能紧急'));
    }
    if (!open) {
      head.appendChild(el('span', 'da-badge da-badge-done', '已确认'));
    }
    var numbers = numbersText(item);
    if (numbers) {
      head.appendChild(el('span', 'da-numbers', numbers));
    }
    main.appendChild(head);

    // 网页 · 地点：… · 收到 14:05:09（2分05秒前） · 3 条消息 · 60秒内未确认将升级至班长
    var meta = el('p', 'da-meta');
    var parts = [];
    var channel = str(item.channel);
    parts.push(el('span', 'chan chan-' + (CHANNEL_NAMES[channel] ? channel : 'other'), channelName(channel)));
    if (item.place) {
      parts.push(el('span', 'da-place', '地点：' + str(item.place)));
    }
    var received = el('span', 'da-time', '收到 ' + formatChinaClock(item.received_at));
    received.appendChild(addTimeCell(el('span', 'da-ago'), item, 'ago'));
    parts.push(received);
    var count = typeof item.messages === 'number' ? item.messages : 1;
    parts.push(el('span', 'da-count', count + ' 条消息' +
      (count > 1 && item.last_at ? '（最新 ' + formatChinaClock(item.last_at) + '）' : '')));
    if (escalated) {
      parts.push(el('span', 'da-escalated-at', '升级于 ' + formatChinaClock(item.escalated_at)));
    } else if (open && !possible) {
      parts.push(addTimeCell(el('span', 'da-due'), item, 'due'));
    }
    appendParts(meta, parts);
    main.appendChild(meta);

    // The citizen's words: the first ~120 characters, all of them on 「展开全文」.
    var full = str(item.text);
    var long = full.length > DESK_PREVIEW_CHARS;
    var expanded = long && !compact && !!desk.expanded[id];
    var words = el('div', 'da-words');
    var wordsId = 'da-words-' + id;
    words.appendChild(el('span', 'da-label', '市民原话：'));
    var quote = el('span', 'da-text' + (expanded ? ' is-full' : ''),
      expanded ? full : shorten(full, compact ? 60 : DESK_PREVIEW_CHARS));
    quote.id = wordsId;
    words.appendChild(quote);
    if (long && !compact) {
      var more = el('button', 'da-more', expanded ? '收起原话' : '展开全文');
      more.type = 'button';
      more.setAttribute('data-role', 'expand');
      more.setAttribute('aria-expanded', expanded ? 'true' : 'false');
      more.setAttribute('aria-controls', wordsId);
      words.appendChild(more);
    }
    main.appendChild(words);

    // 联动单位：已送达 消防119指挥中心 · 待重发 120急救指挥中心（已试 2 次）
    if (!compact) {
      var deliveries = Array.isArray(item.deliveries) ? item.deliveries : [];
      var sent = el('p', 'da-deliveries');
      sent.appendChild(el('span', 'da-label', '联动单位：'));
      var lines = deliveryLines(deliveries);
      var shown = [];
      for (var i = 0; i < lines.length; i++) {
        shown.push(el('span', 'dl dl-' + lines[i].kind, lines[i].text));
      }
      if (!shown.length) {
        shown.push(el('span', 'dl dl-none', possible ? '未自动通知（可能紧急，请核实后处置）' : '无需通知'));
      }
      appendParts(sent, shown);
      main.appendChild(sent);
    }

    if (!open) {
      main.appendChild(el('p', 'da-done', '已由 ' + (str(item.acknowledged_by) || '同事') + ' 于 ' +
        formatChinaClock(item.acknowledged_at) + ' 确认接警'));
    }
    if (item.note) {
      var note = el('p', 'da-note-shown');
      note.appendChild(el('span', 'da-label', '处置记录：'));
      note.appendChild(el('span', 'da-note-text', str(item.note)));
      var by = [str(item.noted_by), formatChinaClock(item.noted_at)].filter(Boolean).join(' ');
      if (by) {
        note.appendChild(el('span', 'da-note-by', '（' + by + '）'));
      }
      main.appendChild(note);
    }
    li.appendChild(main);

    var actions = el('div', 'da-actions');
    var details = null;
    if (!open) {
      details = deskButton(compact ? '详情' : '收起', 'btn-small da-details', 'details', headId, false);
      details.setAttribute('aria-expanded', compact ? 'false' : 'true');
    }
    if (compact) {
      actions.appendChild(details);
      li.appendChild(actions);
      return li;
    }

    // The steps: a note (optional when acknowledging), 确认接警, 记录处置, 接管对话.
    var noteId = 'da-note-' + id;
    var label = el('label', 'da-note-label', open ? '处置情况（可不填）' : '处置情况');
    label.htmlFor = noteId;
    actions.appendChild(label);
    var input = el('input', 'da-note');
    input.type = 'text';
    input.id = noteId;
    input.maxLength = 2000;
    input.autocomplete = 'off';
    input.placeholder = open ? '例如：已电话通知119' : '例如：消防已到场处置';
    input.value = desk.drafts[id] || '';
    input.setAttribute('data-role', 'note-text');
    input.setAttribute('aria-describedby', headId);
    actions.appendChild(input);
    var buttons = el('div', 'da-buttons');
    if (open) {
      buttons.appendChild(deskButton('确认接警', 'btn-danger da-ack', 'ack', headId, busy));
    }
    buttons.appendChild(deskButton('记录处置', 'da-record', 'note', headId, busy));
    // A phone call's alert has no chat to take: the agent on the phone transfers the call.
    if (item.sender && item.channel !== 'phone') {
      buttons.appendChild(deskButton('接管对话', 'btn-primary da-take', 'take', headId, busy));
    }
    if (details) {
      buttons.appendChild(details);
    }
    actions.appendChild(buttons);
    li.appendChild(actions);
    return li;
  }

  function renderDesk() {
    var desk = state.desk;
    if (desk.composing) {
      desk.renderOwed = true; // rebuilding now would break what the input method is composing
      return;
    }
    desk.renderOwed = false;
    // Keep keyboard focus (and the cursor in a note) on the same control across the re-render.
    var active = document.activeElement;
    var focus = null;
    if (active && active !== els.deskList && els.deskList.contains(active)) {
      var activeLi = H.closest(active, '.desk-item', els.deskList);
      focus = {
        id: activeLi ? activeLi.getAttribute('data-id') : null,
        role: active.getAttribute('data-role'),
        start: active.tagName === 'INPUT' ? active.selectionStart : null,
        end: active.tagName === 'INPUT' ? active.selectionEnd : null
      };
    }

    var items = sortAlerts(desk.items);
    desk.items = items;
    desk.timeCells = [];
    clear(els.deskList);
    for (var i = 0; i < items.length; i++) {
      els.deskList.appendChild(buildAlert(items[i]));
    }
    els.deskBody.hidden = items.length === 0;
    var open = openAlertCount();
    var escalated = 0;
    for (var j = 0; j < items.length; j++) {
      if (isOpenAlert(items[j]) && items[j].escalated_at) {
        escalated++;
      }
    }
    var summary = open ? '待确认 ' + open + ' 条' : '全部已确认';
    if (escalated) {
      summary += ' · 已升级 ' + escalated + ' 条';
    }
    if (items.length > open) {
      summary += ' · 近30分钟已确认 ' + (items.length - open) + ' 条';
    }
    els.deskCount.textContent = summary;
    els.deskCount.className = 'desk-count' + (open ? ' has-open' : '');
    document.body.classList.toggle('has-alerts', open > 0);
    els.deskBody.classList.toggle('has-open', open > 0);
    applyTitle();

    if (focus) {
      var target = null;
      var lis = els.deskList.children;
      for (var k = 0; k < lis.length; k++) {
        if (lis[k].getAttribute('data-id') === focus.id) {
          target = (focus.role && lis[k].querySelector('[data-role="' + focus.role + '"]')) ||
            lis[k].querySelector('button');
        }
      }
      if (target) {
        target.focus();
        if (target.tagName === 'INPUT' && typeof focus.start === 'number') {
          target.setSelectionRange(focus.start, focus.end);
        }
      } else if (!els.deskBody.hidden) {
        els.deskList.focus();
      } else {
        els.queue.focus();
      }
    }
  }

  // ---- the steps

  function deskStep(item, path, body, onOk, failText) {
    var id = str(item.id);
    var desk = state.desk;
    if (desk.busy[id]) {
      return;
    }
    desk.busy[id] = true;
    renderDesk();
    api('POST', path, body).then(function (r) {
      delete desk.busy[id];
      if (r.ok) {
        onOk(r.data);
      } else {
        showStatus(errorText(r, failText), 'error');
      }
      renderDesk();
      settleAttention();
    });
  }

  function acknowledgeAlert(item) {
    var id = str(item.id);
    var note = str(state.desk.drafts[id]).trim();
    deskStep(item, alertUrl(id, 'acknowledge'), note ? { note: note } : {}, function (alert) {
      if (note && str(state.desk.drafts[id]).trim() === note) {
        state.desk.drafts[id] = '';
      }
      replaceAlert(alert);
      showStatus(TEXT.deskAcknowledged, 'ok');
    }, TEXT.deskAckFailed);
  }

  function noteAlert(item, li) {
    var id = str(item.id);
    var note = str(state.desk.drafts[id]).trim();
    if (!note) {
      showStatus(TEXT.deskNoteEmpty, 'error');
      var input = li && li.querySelector('[data-role="note-text"]');
      if (input) {
        input.focus();
      }
      return;
    }
    deskStep(item, alertUrl(id, 'note'), { note: note }, function (alert) {
      if (str(state.desk.drafts[id]).trim() === note) {
        state.desk.drafts[id] = '';
      }
      replaceAlert(alert);
      showStatus(TEXT.deskNoted, 'ok');
    }, TEXT.deskNoteFailed);
  }

  // Take the citizen's conversation over: then it opens as after claiming a queued one.
  function takeAlert(item) {
    deskStep(item, alertUrl(str(item.id), 'take'), {}, function (data) {
      var handoff = data.handoff || {};
      showStatus(TEXT.deskTaken, 'ok');
      selectTab('chat');
      openConversation(handoff.sender_id || item.sender, { focusReply: true });
      refreshQueue();
    }, TEXT.deskTakeFailed);
  }

  function onDeskClick(event) {
    var button = H.closest(event.target, 'button', els.deskList);
    if (!button || button.getAttribute('aria-disabled') === 'true') {
      return;
    }
    var li = H.closest(button, '.desk-item', els.deskList);
    var item = li && findAlert(li.getAttribute('data-id'));
    if (!item) {
      return;
    }
    var role = button.getAttribute('data-role');
    if (role === 'ack') {
      acknowledgeAlert(item);
    } else if (role === 'note') {
      noteAlert(item, li);
    } else if (role === 'take') {
      takeAlert(item);
    } else if (role === 'expand' || role === 'details') {
      var shown = role === 'expand' ? state.desk.expanded : state.desk.details;
      var id = str(item.id);
      shown[id] = !shown[id];
      renderDesk();
    }
  }

  // Enter in a note: 确认接警 while the alert is open, else 记录处置 (not while composing).
  function onDeskKey(event) {
    if (event.key !== 'Enter' || event.isComposing || event.keyCode === 229) {
      return;
    }
    var input = event.target;
    if (!input || input.getAttribute('data-role') !== 'note-text') {
      return;
    }
    event.preventDefault();
    var li = H.closest(input, '.desk-item', els.deskList);
    var item = li && findAlert(li.getAttribute('data-id'));
    if (item && !state.desk.busy[str(item.id)]) {
      if (isOpenAlert(item)) {
        acknowledgeAlert(item);
      } else {
        noteAlert(item, li);
      }
    }
  }

  function onDeskInput(event) {
    var input = event.target;
    if (input && input.getAttribute('data-role') === 'note-text') {
      var li = H.closest(input, '.desk-item', els.deskList);
      if (li) {
        state.desk.drafts[li.getAttribute('data-id')] = input.value;
      }
    }
  }

  function bindDesk() {
    els.deskList.addEventListener('click', onDeskClick);
    els.deskList.addEventListener('keydown', onDeskKey);
    els.deskList.addEventListener('input', onDeskInput);
    els.deskList.addEventListener('compositionstart', function () {
      state.desk.composing = true;
    });
    els.deskList.addEventListener('compositionend', function () {
      state.desk.composing = false;
      if (state.desk.renderOwed) {
        window.setTimeout(renderDesk, 0);
      }
    });
    els.deskSound.addEventListener('click', function () {
      unlockAudio(function () {
        state.desk.soundMissed = false;
        updateSoundButton();
        beep(false);
        showStatus(TEXT.deskSoundOn, 'ok');
      });
    });
    // The first click or key press anywhere lets the page beep from then on.
    var gesture = function (event) {
      if (event.target === els.deskSound) {
        return; // its own click turns the sound on (and beeps once to say so)
      }
      if (audioRunning()) {
        document.removeEventListener('pointerdown', gesture, true);
        document.removeEventListener('keydown', gesture, true);
        return;
      }
      unlockAudio(null);
    };
    document.addEventListener('pointerdown', gesture, true);
    document.addEventListener('keydown', gesture, true);
  }

  // ------------------------------------------------------------------ tabs

  function selectTab(name) {
    var chat = name === 'chat';
    els.tabChat.setAttribute('aria-selected', chat ? 'true' : 'false');
    els.tabCall.setAttribute('aria-selected', chat ? 'false' : 'true');
    els.tabChat.tabIndex = chat ? 0 : -1;
    els.tabCall.tabIndex = chat ? -1 : 0;
    els.panelChat.hidden = !chat;
    els.panelCall.hidden = chat;
  }

  // Arrow keys, Home and End move between the tabs (WAI-ARIA tabs pattern).
  function onTabKey(event) {
    var key = event.key;
    if (key === 'ArrowLeft' || key === 'ArrowRight' || key === 'Home' || key === 'End') {
      event.preventDefault();
      var toCall = key === 'End' || ((key === 'ArrowRight' || key === 'ArrowLeft') && event.target === els.tabChat);
      selectTab(toCall ? 'call' : 'chat');
      (toCall ? els.tabCall : els.tabChat).focus();
    }
  }

  // ------------------------------------------------------------------ live connection

  function setConnBanner(disconnected) {
    els.conn.textContent = disconnected ? TEXT.disconnected : '';
    els.conn.hidden = !disconnected;
  }

  function connect() {
    if (H.isLeaving()) {
      return;
    }
    state.wsTimer = null;
    var url = (location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + WS_PATH;
    var ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      scheduleReconnect(false);
      return;
    }
    state.ws = ws;
    var opened = false;

    ws.onopen = function () {
      opened = true;
      state.wsOpen = true;
      state.wsDelay = RECONNECT_FIRST_MS;
      var wasLost = state.wsEverOpened || !els.conn.hidden;
      state.wsEverOpened = true;
      setConnBanner(false);
      if (wasLost) {
        // Catch up on what happened while we were away.
        showStatus(TEXT.reconnected, 'ok');
        refreshQueue();
        if (state.openId) {
          openConversation(state.openId);
        }
      }
    };

    ws.onmessage = function (event) {
      var msg;
      try {
        msg = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!msg || typeof msg !== 'object') {
        return;
      }
      if (msg.type === 'hello') {
        if (msg.agent && typeof msg.agent === 'object') {
          state.me = msg.agent;
          H.renderMe(state.me);
          // Phone calls and the duty desk are the hotline staff's, not the expert seat's.
          byId('tab-call').hidden = state.me.role === 'expert';
          renderDesk(); // supervisors see escalated alerts first
        }
      } else if (msg.type === 'queue') {
        setQueue(msg.items, msg.online, msg.undelivered);
      } else if (msg.type === 'undelivered') {
        refreshQueue();
        if (msg.sender_id && msg.sender_id === state.openId) {
          openConversation(state.openId);
        }
      } else if (msg.type === 'alerts') {
        setAlerts(msg);
      } else if (msg.type === 'message') {
        onLiveMessage(msg.sender_id, msg.entry);
      } else if (msg.type === 'warnings') {
        showWarnings(msg.items);
      }
    };

    ws.onclose = function () {
      if (state.ws === ws) {
        state.ws = null;
      }
      state.wsOpen = false;
      scheduleReconnect(opened);
    };
    // onerror is always followed by onclose
  }

  // 研判's new hot-spot warnings (supervisors only: the server sends them to no one else).
  function showWarnings(items) {
    var strip = byId('warnings-strip');
    if (!strip || !Array.isArray(items) || !items.length) {
      return;
    }
    clear(strip);
    strip.appendChild(el('strong', null, '研判预警 '));
    items.slice(0, 3).forEach(function (w) {
      strip.appendChild(el('span', 'warning-reason', '【' + str(w.kind_label || '热点') + '】' + str(w.reason)));
    });
    var link = el('a', 'btn btn-small', '去研判页面处理');
    link.href = '/console/analytics';
    strip.appendChild(link);
    strip.hidden = false;
  }

  function scheduleReconnect(wasOpen) {
    if (H.isLeaving() || state.wsTimer) {
      return;
    }
    setConnBanner(true);
    if (!wasOpen) {
      // The session may have ended: any API call takes us to the login page on 401.
      api('GET', API + '/me');
    }
    var delay = state.wsDelay;
    state.wsDelay = Math.min(state.wsDelay * 2, RECONNECT_MAX_MS);
    state.wsTimer = window.setTimeout(connect, delay);
  }

  // ------------------------------------------------------------------ start

  function bindEvents() {
    // Logging out closes the socket first: no reconnect (nor its banner) meanwhile.
    H.bindLogout(function () {
      if (state.ws) {
        state.ws.close();
      }
    });
    els.queue.addEventListener('click', onQueueClick);
    bindDesk();

    els.tabChat.addEventListener('click', function () {
      selectTab('chat');
    });
    els.tabCall.addEventListener('click', function () {
      selectTab('call');
    });
    els.tabChat.addEventListener('keydown', onTabKey);
    els.tabCall.addEventListener('keydown', onTabKey);

    els.replySend.addEventListener('click', sendReply);
    els.replyText.addEventListener('keydown', onReplyKey);
    for (var i = 0; i < phraseButtons.length; i++) {
      phraseButtons[i].addEventListener('click', function (event) {
        insertPhrase(event.currentTarget.getAttribute('data-phrase'));
      });
    }
    els.handback.addEventListener('click', function () {
      endConversation('handback');
    });
    els.close.addEventListener('click', function () {
      endConversation('close');
    });
    els.askExpert.addEventListener('click', askExpert);
    els.transferExpert.addEventListener('click', transferExpert);
    els.jumpNew.addEventListener('click', function () {
      scrollToBottom();
      els.transcript.focus();
    });
    els.transcript.addEventListener('scroll', function () {
      if (!els.jumpNew.hidden && isNearBottom()) {
        els.jumpNew.hidden = true;
      }
    });

    els.orderForm.addEventListener('submit', fileOrder);
    els.orderForm.addEventListener('input', function () {
      state.formDirty = true;
    });
    els.orderForm.addEventListener('change', function () {
      state.formDirty = true;
    });

    els.noteAdd.addEventListener('click', addNote);
    els.noteText.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.isComposing) {
        event.preventDefault();
        addNote();
      }
    });

    els.callTriage.addEventListener('click', runTriage);
    els.callReset.addEventListener('click', resetCall);
    els.callText.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.isComposing) {
        event.preventDefault();
        runTriage();
      }
    });
    els.callForm.addEventListener('submit', fileCall);
    var markTouched = function (event) {
      if (event.target && event.target.id) {
        state.call.touched[event.target.id] = true;
      }
    };
    els.callForm.addEventListener('input', markTouched);
    // The content defaults to what the agent types about the call, until edited by hand.
    els.callText.addEventListener('input', function () {
      if (!state.call.touched['c-content']) {
        byId('c-content').value = els.callText.value.trim();
      }
    });
    els.callForm.addEventListener('change', markTouched);
    // (Leaving the page and coming back from the page cache: see common.js.)
  }

  function start() {
    bindEvents();
    selectTab('chat');
    newCall();
    updateControls();
    window.setInterval(tickWaits, 1000);
    window.setInterval(tickDesk, 1000);
    H.loadMe().then(function (r) {
      if (!r.ok) {
        return;
      }
      state.me = r.me;
      // Agents call citizens back (电话回访); supervisors have the 督办 queues there too.
      var pages = { agent: '电话回访', supervisor: '工单督办' };
      var link = byId('to-orders');
      if (pages[state.me.role]) {
        link.textContent = pages[state.me.role];
        link.hidden = false;
      }
      refreshQueue();
      connect();
    });
  }

  start();
})();
