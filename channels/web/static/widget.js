/*
 * Chat widget of the 12345 hotline's citizen page.
 *
 * Plain script (no modules, no build step, ES5 syntax so that old phone browsers run it).
 * Talks to the gateway with Rasa's socket.io protocol (session_request / session_confirm /
 * user_uttered / bot_uttered) plus two extensions: `history` (the session's earlier messages,
 * sent after session_confirm) and `POST /api/uploads` for images.
 *
 * Everything a person sees is rendered with textContent: message text is never HTML.
 */
(function () {
  'use strict';

  var SESSION_KEY = 'hotline.session_id';
  var BIG_TEXT_KEY = 'hotline.big_text';
  var MAX_CHARS = 2000;
  var WARN_CHARS = 1800;
  var MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
  var UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
  var UPLOAD_URL = '/api/uploads';
  var ORDER_RE = /\b[A-Z]{2,3}-\d{8}-\d{4}\b/g;
  var URL_RE = /https?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+/g;
  var TYPING_TIMEOUT_MS = 15000;
  var HISTORY_WAIT_MS = 2000;
  var SPEAKERS = { citizen: '您说', bot: '热线助手', agent: '人工客服', system: '系统提示' };

  var TEXT = {
    connecting: '正在连接…',
    online: '已连接',
    offline: '网络断开，正在重连…',
    retrying: '暂时连接不上，正在重试…',
    unavailable: '对话组件没有加载成功，请刷新页面重试。',
    pendingNote: '连上网络后自动发送',
    uploading: '正在上传…',
    notSent: '未发送',
    copied: '已复制',
    copyFailed: '请手动复制',
    noSessionUpload: '还没有连上服务器，请稍后再上传图片。',
    uploadFailed: '图片没有上传成功，请稍后再试。',
    uploadNetwork: '网络不通，图片没有发出去，请检查网络后再试。',
    newConfirm: '开始新对话后，当前的对话记录将不再显示（已登记的工单不受影响，凭工单编号仍可查询）。\n确定要开始新对话吗？'
  };

  // ---------- small helpers ----------

  function byId(id) {
    return document.getElementById(id);
  }

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) { /* storage disabled: keep it in memory only */ }
  }

  function storageRemove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) { /* ignore */ }
  }

  function trim(s) {
    return String(s).replace(/^\s+|\s+$/g, '');
  }

  /** Length in characters (code points), the way the server counts them. */
  function countChars(s) {
    return s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
  }

  function isArray(x) {
    return Object.prototype.toString.call(x) === '[object Array]';
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function pageValue(attr, fallback) {
    var v = chat.getAttribute(attr);
    return v && v.indexOf('{{') === -1 ? v : fallback;
  }

  /** Only http(s), blob: and same-origin relative URLs, and data: images, may be shown. */
  function safeUrl(src, allowData) {
    if (typeof src !== 'string' || !src) return null;
    if (allowData && /^data:image\/(png|jpe?g|gif|webp);/i.test(src)) return src;
    var a = document.createElement('a');
    a.href = src;
    var protocol = a.protocol;
    if (protocol === 'http:' || protocol === 'https:' || protocol === 'blob:') return a.href;
    return null;
  }

  // ---------- elements ----------

  var chat = byId('chat');
  var log = byId('chat-log');
  var statusLine = byId('chat-status');
  var typing = byId('chat-typing');
  var form = byId('chat-form');
  var input = byId('chat-input');
  var counter = byId('chat-count');
  var alertLine = byId('chat-alert');
  var announcer = byId('chat-announce');
  var attachBtn = byId('chat-attach');
  var fileInput = byId('chat-upload');
  var bigTextBtn = byId('chat-bigtext');
  var newBtn = byId('chat-new');
  var orderPin = byId('chat-order-pin');
  var about = byId('about');
  if (!chat || !log || !input || !form) return;

  var hotlineName = pageValue('data-hotline-name', '12345政务服务便民热线');

  // ---------- state ----------

  var socket = null;
  var everConnected = false;
  var sessionId = null; // as confirmed by the server on this connection
  var ready = false; // connected, session confirmed and history shown: messages may be emitted
  var outbox = []; // citizen messages not yet emitted: {message, display, node}
  var typingTimer = null;
  var historyTimer = null;
  var agentHolds = false; // a human agent answered last: no "typing" dots, we cannot know when they type

  // ---------- status line ----------

  function setStatus(state) {
    statusLine.textContent = TEXT[state] || '';
    statusLine.className = 'chat-status' + (state === 'offline' || state === 'retrying' || state === 'unavailable' ? ' is-offline' : '');
    statusLine.hidden = state === 'online';
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = '';
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function setAlert(text) {
    alertLine.textContent = text || '';
  }

  // ---------- scrolling ----------

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  }

  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
  }

  // ---------- message rendering ----------

  function normalizeAuthor(author) {
    return author === 'citizen' || author === 'agent' || author === 'system' || author === 'bot' ? author : null;
  }

  /** Text with line breaks kept (CSS pre-wrap) and http(s) links made clickable; never HTML. */
  function renderText(container, text, linkify) {
    if (!linkify) {
      container.appendChild(document.createTextNode(text));
      return;
    }
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var url = match[0].replace(/[.,;:!?)\]]+$/, '');
      if (match.index > last) container.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = el('a', null, url);
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      container.appendChild(a);
      last = match.index + url.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) container.appendChild(document.createTextNode(text.slice(last)));
  }

  function orderNumbersIn(text) {
    var found = text.match(ORDER_RE) || [];
    var unique = [];
    for (var i = 0; i < found.length; i++) {
      if (unique.indexOf(found[i]) === -1) unique.push(found[i]);
    }
    return unique;
  }

  function copyButton(getText, label) {
    var btn = el('button', 'copy-btn', '复制');
    btn.type = 'button';
    btn.setAttribute('aria-label', label);
    btn.addEventListener('click', function () {
      copyText(getText(), btn);
    });
    return btn;
  }

  function orderBadge(number) {
    var badge = el('div', 'order-number');
    badge.appendChild(el('span', 'order-label', '工单编号'));
    badge.appendChild(document.createTextNode(' '));
    badge.appendChild(el('span', 'order-value', number));
    badge.appendChild(document.createTextNode(' '));
    badge.appendChild(copyButton(function () {
      return number;
    }, '复制工单编号 ' + number));
    return badge;
  }

  function pinOrder(number) {
    if (!orderPin) return;
    orderPin.querySelector('.order-pin-value').textContent = number;
    orderPin.querySelector('.order-pin-copy').setAttribute('aria-label', '复制工单编号 ' + number);
    orderPin.hidden = false;
  }

  function unpinOrder() {
    if (orderPin) orderPin.hidden = true;
  }

  function imageSrc(attachment) {
    if (!attachment || typeof attachment !== 'object' || attachment.type !== 'image') return null;
    var payload = attachment.payload || {};
    return safeUrl(payload.src || payload.url, true);
  }

  function quickRepliesOf(list) {
    var out = [];
    if (!isArray(list)) return out;
    for (var i = 0; i < list.length; i++) {
      var q = list[i];
      if (!q || typeof q !== 'object') continue;
      if (q.content_type && q.content_type !== 'text') continue;
      var title = q.title !== undefined && q.title !== null ? trim(q.title) : '';
      var payload = q.payload !== undefined && q.payload !== null ? String(q.payload) : title;
      if (!title && !payload) continue;
      out.push({ title: title || payload, payload: payload || title });
    }
    return out;
  }

  function renderQuickReplies(node, replies) {
    var group = el('div', 'quick-replies');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', '可选回复');
    for (var i = 0; i < replies.length; i++) {
      (function (reply) {
        var btn = el('button', 'quick-reply', reply.title);
        btn.type = 'button';
        btn.addEventListener('click', function () {
          if (btn.disabled) return;
          disableQuickReplies(btn);
          sendCitizen(reply.payload, reply.title);
          input.focus();
        });
        group.appendChild(btn);
      })(replies[i]);
    }
    node.appendChild(group);
  }

  function disableQuickReplies(chosen) {
    var buttons = log.querySelectorAll('.quick-reply');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
    if (chosen) {
      chosen.className += ' chosen';
      chosen.appendChild(el('span', 'sr-only', '（已选择）'));
    }
  }

  function setNote(node, text, isError) {
    var note = node.querySelector('.msg-note');
    if (!text) {
      if (note) node.removeChild(note);
      return;
    }
    if (!note) {
      note = el('span', 'msg-note');
      node.appendChild(note);
    }
    note.textContent = text;
    note.className = 'msg-note' + (isError ? ' is-error' : '');
  }

  /**
   * Build and append one message.
   * msg: {author, text?, quick_replies?, attachment?, agent_name?, imageUrl?, error?, local?}
   * opts: {withQuickReplies?: bool, force?: bool (scroll even when the citizen scrolled up)}
   */
  function appendMessage(msg, opts) {
    opts = opts || {};
    var author = normalizeAuthor(msg.author) || 'bot';
    var text = msg.text === undefined || msg.text === null ? '' : String(msg.text);
    var src = msg.imageUrl || imageSrc(msg.attachment);
    var replies = opts.withQuickReplies ? quickRepliesOf(msg.quick_replies) : [];
    if (!trim(text) && !src && !replies.length) return null;

    var stick = opts.force || nearBottom();
    // A local line (the welcome) looks like the bot's but is not counted as a message from the server.
    var node = el('div', 'msg ' + (msg.local ? 'welcome' : author) + (msg.error ? ' error' : ''));

    var agentName = author === 'agent' && msg.agent_name ? trim(msg.agent_name) : '';
    node.appendChild(el('span', 'sr-only', SPEAKERS[author] + (agentName ? ' ' + agentName : '') + '：'));
    if (author === 'agent') {
      var who = el('span', 'msg-author', '人工客服' + (agentName ? ' · ' + agentName : ''));
      who.setAttribute('aria-hidden', 'true');
      node.appendChild(who);
    }

    if (trim(text)) {
      var bubble = el('div', 'bubble');
      renderText(bubble, text, author !== 'citizen');
      node.appendChild(bubble);
    }

    if (src) {
      var frame = el('div', 'bubble has-image');
      var img = el('img', 'msg-image');
      img.alt = author === 'citizen' ? '您发送的图片' : '图片';
      img.decoding = 'async';
      img.addEventListener('load', function () {
        if (stick) scrollToBottom();
      });
      img.addEventListener('error', function () {
        frame.className = 'bubble';
        frame.textContent = '（图片无法显示）';
      });
      img.src = src;
      frame.appendChild(img);
      node.appendChild(frame);
    }

    if (author !== 'citizen' && text) {
      var numbers = orderNumbersIn(text);
      for (var i = 0; i < numbers.length; i++) {
        node.appendChild(orderBadge(numbers[i]));
        pinOrder(numbers[i]);
      }
    }

    if (replies.length) renderQuickReplies(node, replies);

    log.appendChild(node);
    if (stick) scrollToBottom();
    return node;
  }

  function revokeImages(root) {
    var imgs = root.querySelectorAll('img');
    for (var i = 0; i < imgs.length; i++) {
      if (imgs[i].src.indexOf('blob:') === 0) {
        try {
          URL.revokeObjectURL(imgs[i].src);
        } catch (e) { /* ignore */ }
      }
    }
  }

  function clearLog(keepPending) {
    var keep = [];
    var children = log.children;
    for (var i = 0; i < children.length; i++) {
      if (keepPending && /\bis-pending\b/.test(children[i].className)) keep.push(children[i]);
    }
    for (var j = children.length - 1; j >= 0; j--) {
      var child = children[j];
      if (keep.indexOf(child) === -1) revokeImages(child);
      log.removeChild(child);
    }
    unpinOrder();
    return keep;
  }

  function showWelcome() {
    appendMessage({
      author: 'bot',
      local: true,
      text: '您好，这里是' + hotlineName + '在线服务。请直接说说您遇到的问题，比如发生了什么事、在什么地方，我来帮您登记办理。\n' +
        '遇到火灾、急病、治安、交通事故等紧急情况，请直接拨打 119、120、110、122。'
    }, { force: true });
  }

  // ---------- typing indicator ----------

  function showTyping() {
    var stick = nearBottom();
    typing.hidden = false;
    if (stick) scrollToBottom();
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    window.clearTimeout(typingTimer);
    typing.hidden = true;
  }

  // ---------- sending ----------

  function markPending(item) {
    if (!item.node) return;
    if (!/\bis-pending\b/.test(item.node.className)) item.node.className += ' is-pending';
    setNote(item.node, TEXT.pendingNote);
  }

  function clearPending(item) {
    if (!item.node) return;
    item.node.className = item.node.className.replace(/\s*\bis-pending\b/g, '');
    setNote(item.node, null);
  }

  function flush() {
    while (outbox.length && ready && socket && socket.connected) {
      var item = outbox.shift();
      var data = { message: item.message, session_id: sessionId };
      if (item.display && item.display !== item.message) data.display_text = item.display;
      socket.emit('user_uttered', data);
      clearPending(item);
      if (!agentHolds) showTyping();
    }
  }

  /** Show the citizen's bubble at once; emit when the connection and session are ready. */
  function sendCitizen(message, display) {
    disableQuickReplies(null);
    var node = appendMessage({ author: 'citizen', text: display || message }, { force: true });
    var item = { message: message, display: display, node: node };
    outbox.push(item);
    if (ready && socket && socket.connected) {
      flush();
    } else {
      markPending(item);
    }
  }

  function submitInput() {
    var text = trim(input.value);
    if (!text) {
      input.value = '';
      autoresize();
      updateCounter();
      return;
    }
    var n = countChars(text);
    if (n > MAX_CHARS) {
      setAlert('这条消息有 ' + n + ' 字，超过了每条 ' + MAX_CHARS + ' 字的上限。请删减一些，或者分成几条发送。');
      input.focus();
      return;
    }
    setAlert('');
    input.value = '';
    autoresize();
    updateCounter();
    sendCitizen(text, null);
    input.focus();
  }

  // ---------- input box ----------

  function updateCounter() {
    var n = countChars(trim(input.value));
    if (n < WARN_CHARS) {
      counter.hidden = true;
      counter.textContent = '';
      if (alertLine.textContent && n <= MAX_CHARS) setAlert('');
      return;
    }
    counter.hidden = false;
    if (n > MAX_CHARS) {
      counter.className = 'composer-count is-over';
      counter.textContent = '已超出 ' + (n - MAX_CHARS) + ' 字（每条最多 ' + MAX_CHARS + ' 字），请删减或分几条发送';
    } else {
      counter.className = 'composer-count';
      counter.textContent = '还可以输入 ' + (MAX_CHARS - n) + ' 字（每条最多 ' + MAX_CHARS + ' 字）';
      if (alertLine.textContent) setAlert('');
    }
  }

  function autoresize() {
    input.style.height = 'auto';
    var borders = input.offsetHeight - input.clientHeight;
    input.style.height = input.scrollHeight + borders + 'px';
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    submitInput();
  });

  input.addEventListener('keydown', function (e) {
    var isEnter = e.key === 'Enter' || e.keyCode === 13;
    // Enter that confirms a Chinese input method's candidate must not send (isComposing / 229).
    if (!isEnter || e.shiftKey || e.altKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    submitInput();
  });

  input.addEventListener('input', function () {
    autoresize();
    updateCounter();
  });

  // ---------- copying ----------

  function fallbackCopy(text) {
    var area = el('textarea', 'sr-only');
    area.value = text;
    area.setAttribute('readonly', '');
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok;
  }

  function copyText(text, btn) {
    function done(ok) {
      btn.focus();
      btn.textContent = ok ? TEXT.copied : TEXT.copyFailed;
      announce(ok ? '工单编号 ' + text + ' 已复制' : '没能自动复制，请长按或选中工单编号后手动复制');
      if (!ok) {
        // Select the number so it can be copied by hand.
        var value = btn.parentNode && btn.parentNode.querySelector('.order-value, .order-pin-value');
        if (value && window.getSelection) {
          var range = document.createRange();
          range.selectNodeContents(value);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
        }
      }
      window.setTimeout(function () {
        btn.textContent = '复制';
      }, 2500);
    }
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        done(true);
      }, function () {
        done(fallbackCopy(text));
      });
    } else {
      done(fallbackCopy(text));
    }
  }

  if (orderPin) {
    orderPin.querySelector('.order-pin-copy').addEventListener('click', function () {
      copyText(orderPin.querySelector('.order-pin-value').textContent, this);
    });
  }

  // ---------- image upload ----------

  function systemNotice(text, isError) {
    return appendMessage({ author: 'system', text: text, error: !!isError }, { force: true });
  }

  function formatMB(bytes) {
    return (Math.round(bytes / 1024 / 1024 * 10) / 10).toFixed(1);
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  function uploadImage(file) {
    if (UPLOAD_TYPES.indexOf(file.type) === -1) {
      systemNotice('只能上传 JPG、PNG、GIF 或 WebP 格式的图片，“' + file.name + '”不是这几种格式，没有发送。', true);
      return;
    }
    if (file.size > MAX_UPLOAD_BYTES) {
      systemNotice('这张图片有 ' + formatMB(file.size) + ' MB，超过了 5 MB 的上限，没有发送。请换一张小一点的图片，或者截图后再发。', true);
      return;
    }
    if (!sessionId) {
      systemNotice(TEXT.noSessionUpload, true);
      return;
    }
    disableQuickReplies(null);
    var url = null;
    try {
      url = URL.createObjectURL(file);
    } catch (e) {
      url = null;
    }
    var node = url ?
      appendMessage({ author: 'citizen', imageUrl: url }, { force: true }) :
      appendMessage({ author: 'citizen', text: '（图片）' + file.name }, { force: true });
    setNote(node, TEXT.uploading);

    var fd = new FormData();
    fd.append('session_id', sessionId);
    fd.append('file', file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', UPLOAD_URL);
    xhr.timeout = 120000;
    xhr.setRequestHeader('Accept', 'application/json');
    if (xhr.upload) {
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable && e.total > 0) {
          setNote(node, TEXT.uploading + ' ' + Math.floor(e.loaded / e.total * 100) + '%');
        }
      };
    }
    xhr.onload = function () {
      var body = parseJson(xhr.responseText);
      var message = body && typeof body.message === 'string' ? body.message : '';
      if (xhr.status >= 200 && xhr.status < 300) {
        setNote(node, null);
        if (message) systemNotice(message, false);
      } else {
        setNote(node, TEXT.notSent, true);
        systemNotice(message || TEXT.uploadFailed, true);
      }
    };
    xhr.onerror = xhr.ontimeout = function () {
      setNote(node, TEXT.notSent, true);
      systemNotice(TEXT.uploadNetwork, true);
    };
    xhr.send(fd);
  }

  if (attachBtn && fileInput) {
    attachBtn.addEventListener('click', function () {
      fileInput.value = '';
      fileInput.click();
    });
    fileInput.addEventListener('change', function () {
      var file = fileInput.files && fileInput.files[0];
      fileInput.value = '';
      if (file) uploadImage(file);
      attachBtn.focus();
    });
  }

  // ---------- 大字 (large text) ----------

  function applyBigText(on) {
    if (on) {
      if (!/\bbig-text\b/.test(chat.className)) chat.className += ' big-text';
    } else {
      chat.className = chat.className.replace(/\s*\bbig-text\b/g, '');
    }
    bigTextBtn.setAttribute('aria-pressed', on ? 'true' : 'false');
    autoresize();
  }

  if (bigTextBtn) {
    applyBigText(storageGet(BIG_TEXT_KEY) === '1');
    bigTextBtn.addEventListener('click', function () {
      var on = bigTextBtn.getAttribute('aria-pressed') !== 'true';
      applyBigText(on);
      if (on) storageSet(BIG_TEXT_KEY, '1');
      else storageRemove(BIG_TEXT_KEY);
      if (nearBottom()) scrollToBottom();
    });
  }

  // ---------- the about box is folded away on phones ----------

  if (about && window.matchMedia && window.matchMedia('(max-width: 600px)').matches) {
    about.open = false;
  }

  // ---------- socket.io ----------

  function onHistory(items) {
    window.clearTimeout(historyTimer);
    if (!isArray(items)) items = [];
    // Re-rendering the whole conversation should not be read out message by message.
    log.setAttribute('aria-busy', 'true');
    var keep = clearLog(true);

    // Quick replies stay usable only on the bot's messages after the citizen's last one.
    var lastCitizen = -1;
    var i;
    for (i = 0; i < items.length; i++) {
      if (items[i] && items[i].author === 'citizen') lastCitizen = i;
    }
    var activeReplies = -1;
    for (i = items.length - 1; i > lastCitizen; i--) {
      if (items[i] && quickRepliesOf(items[i].quick_replies).length) {
        activeReplies = i;
        break;
      }
    }

    var shown = 0;
    agentHolds = false;
    for (i = 0; i < items.length; i++) {
      var m = items[i];
      if (!m || typeof m !== 'object') continue;
      if (m.author === 'agent' || m.author === 'bot') agentHolds = m.author === 'agent';
      if (appendMessage({
        author: normalizeAuthor(m.author) || 'bot',
        text: m.text,
        quick_replies: m.quick_replies,
        attachment: m.attachment,
        agent_name: m.agent_name || (m.metadata && m.metadata.agent_name)
      }, { withQuickReplies: i === activeReplies, force: true })) {
        shown++;
      }
    }
    if (!shown) showWelcome();
    for (i = 0; i < keep.length; i++) log.appendChild(keep[i]);
    scrollToBottom();
    window.setTimeout(function () {
      log.setAttribute('aria-busy', 'false');
    }, 0);
    ready = true;
    flush();
  }

  function onSessionConfirm(data) {
    var id = data && typeof data === 'object' ? data.session_id : data;
    if (id === undefined || id === null || id === '') return;
    id = String(id);
    if (sessionId && sessionId !== id) {
      // The stored session was not valid any more: a new, empty conversation begins.
      var kept = clearLog(true);
      for (var i = 0; i < kept.length; i++) log.appendChild(kept[i]);
    }
    sessionId = id;
    storageSet(SESSION_KEY, id);
    // The gateway sends `history` next; a plain Rasa server does not, so do not wait for ever.
    window.clearTimeout(historyTimer);
    historyTimer = window.setTimeout(function () {
      if (ready) return;
      if (!log.querySelector('.msg:not(.is-pending)')) {
        var keep = clearLog(true);
        showWelcome();
        for (var i = 0; i < keep.length; i++) log.appendChild(keep[i]);
      }
      ready = true;
      flush();
    }, HISTORY_WAIT_MS);
  }

  function onBotUttered(data) {
    if (typeof data === 'string') data = { text: data };
    if (!data || typeof data !== 'object') return;
    hideTyping();
    var meta = data.metadata && typeof data.metadata === 'object' ? data.metadata : {};
    var author = normalizeAuthor(meta.author);
    if (author === 'citizen' || !author) author = 'bot';
    if (author !== 'system') agentHolds = author === 'agent';
    var replies = quickRepliesOf(data.quick_replies);
    if (replies.length) disableQuickReplies(null);
    appendMessage({
      author: author,
      text: data.text,
      quick_replies: data.quick_replies,
      attachment: data.attachment,
      agent_name: meta.agent_name
    }, { withQuickReplies: true });
  }

  function connect() {
    if (typeof window.io !== 'function') {
      setStatus('unavailable');
      return;
    }
    setStatus('connecting');
    socket = window.io(window.location.origin, {
      path: '/socket.io/',
      transports: ['websocket', 'polling']
    });

    socket.on('connect', function () {
      everConnected = true;
      ready = false;
      setStatus('online');
      socket.emit('session_request', { session_id: storageGet(SESSION_KEY) || sessionId || null, history: true });
    });

    socket.on('disconnect', function (reason) {
      ready = false;
      window.clearTimeout(historyTimer);
      hideTyping();
      for (var i = 0; i < outbox.length; i++) markPending(outbox[i]);
      if (reason === 'io client disconnect') {
        setStatus('connecting');
        return;
      }
      setStatus('offline');
      if (reason === 'io server disconnect') {
        // socket.io does not reconnect by itself after the server closed the socket.
        window.setTimeout(function () {
          if (!socket.connected) socket.connect();
        }, 2000);
      }
    });

    socket.on('connect_error', function () {
      setStatus(everConnected ? 'offline' : 'retrying');
    });

    socket.on('session_confirm', onSessionConfirm);
    socket.on('history', onHistory);
    socket.on('bot_uttered', onBotUttered);
  }

  if (newBtn) {
    newBtn.addEventListener('click', function () {
      if (!window.confirm(TEXT.newConfirm)) return;
      storageRemove(SESSION_KEY);
      sessionId = null;
      ready = false;
      agentHolds = false;
      outbox = [];
      window.clearTimeout(historyTimer);
      hideTyping();
      clearLog(false);
      setAlert('');
      input.value = '';
      autoresize();
      updateCounter();
      if (socket) {
        socket.disconnect();
        setStatus('connecting');
        socket.connect();
      }
      input.focus();
    });
  }

  autoresize();
  updateCounter();
  connect();
})();
