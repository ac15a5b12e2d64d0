/*
 * What the console's pages share (console.js for the agents, orders.js for the work orders):
 * small DOM and text helpers, reading the server's times, the status line in the top bar, the
 * fetch wrapper for /console/api (the session's CSRF token on every POST, the login page on 401),
 * who is logged in and logging out.
 *
 * Plain ES5 script, no modules and no build step. Loaded (defer) before the page's own script;
 * it defines one global, window.Hotline, and nothing else.
 *
 * Security: everything that comes from citizens or from the server is put on the page with
 * textContent / createTextNode only. Nothing is ever parsed as HTML.
 */
(function () {
  'use strict';

  var API = '/console/api';
  var LOGIN_PAGE = '/console/login';
  var LOGOUT_URL = '/console/logout';
  var STATUS_OK_MS = 8000;
  var STATUS_ERROR_MS = 20000;

  var ROLE_NAMES = { agent: '坐席', expert: '专家坐席', supervisor: '班长', unit: '承办单位', leader: '领导' };

  // What errorText falls back to; a page may put its own words in (setMessages).
  var messages = {
    network: '网络不通，请检查网络后重试。',
    serverError: '服务器暂时出错，请稍后再试。',
    forbidden: '您没有权限执行这个操作。',
    notFound: '没有找到这条记录，可能已被处理。',
    conflict: '操作没有成功：情况已有变化，请刷新后再试。',
    tooMany: '操作太频繁，请稍后再试。',
    failed: '操作没有成功，请稍后再试。',
    meFailed: '无法读取登录信息，请刷新页面。'
  };

  var session = {
    csrf: '',
    leaving: false // the page is going away (logout, login page, unload): start nothing new
  };

  // ------------------------------------------------------------------ small helpers

  function byId(id) {
    return document.getElementById(id);
  }

  // An element with an optional class and text (always as text, never HTML).
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function isString(v) {
    return typeof v === 'string';
  }

  function str(v) {
    return v === null || v === undefined ? '' : String(v);
  }

  function shorten(text, max) {
    var s = str(text).replace(/\s+/g, ' ').trim();
    return s.length > max ? s.slice(0, max) + '…' : s;
  }

  // The nearest element from node up (node itself included) that matches the selector, not
  // looking beyond stop.
  function closest(node, selector, stop) {
    while (node && node !== stop && node.nodeType === 1) {
      if (node.matches(selector)) {
        return node;
      }
      node = node.parentNode;
    }
    return null;
  }

  // Server times are UTC; a time without a zone is read as UTC too.
  function parseTime(value) {
    if (!value) {
      return null;
    }
    var s = String(value);
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) {
      s += 'Z';
    }
    var d = new Date(s);
    return isNaN(d.getTime()) ? null : d;
  }

  // ------------------------------------------------------------------ status line

  var statusTimer = null;
  var statusShowTimer = null;

  // A short polite message in the top bar's #status (kind: 'ok' | 'error' | '').
  function showStatus(text, kind) {
    var box = byId('status');
    if (statusTimer) {
      clearTimeout(statusTimer);
    }
    if (statusShowTimer) {
      clearTimeout(statusShowTimer);
    }
    box.className = 'status' + (kind ? ' is-' + kind : '');
    // Emptied first so that the same message twice is announced twice.
    box.textContent = '';
    statusShowTimer = window.setTimeout(function () {
      box.textContent = text;
    }, 30);
    statusTimer = window.setTimeout(function () {
      box.textContent = '';
      box.className = 'status';
    }, kind === 'error' ? STATUS_ERROR_MS : STATUS_OK_MS);
  }

  // ------------------------------------------------------------------ server calls

  function isLeaving() {
    return session.leaving;
  }

  function goLogin() {
    if (!session.leaving) {
      session.leaving = true;
      window.location.assign(LOGIN_PAGE);
    }
  }

  // fetch wrapper: resolves {ok, status, data}; a network failure is status 0. On 401 the page
  // goes to the login page and the promise never settles.
  function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    var init = { method: method, credentials: 'same-origin', headers: headers, cache: 'no-store' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = session.csrf;
      init.body = JSON.stringify(body || {});
    }
    return fetch(path, init).then(
      function (response) {
        if (response.status === 401) {
          goLogin();
          return new Promise(function () {});
        }
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            return { ok: response.ok, status: response.status, data: data || {} };
          });
      },
      function () {
        return { ok: false, status: 0, data: {} };
      }
    );
  }

  // The page's own words for the messages above (keys errorText does not know are left out).
  function setMessages(text) {
    for (var key in messages) {
      if (Object.prototype.hasOwnProperty.call(text, key)) {
        messages[key] = text[key];
      }
    }
  }

  // The server's Chinese message if it sent one, else a message by status.
  function errorText(result, fallback) {
    if (result.status === 0) {
      return messages.network;
    }
    if (result.data && isString(result.data.message) && result.data.message) {
      return result.data.message;
    }
    switch (result.status) {
      case 403:
        return messages.forbidden;
      case 404:
        return messages.notFound;
      case 409:
        return messages.conflict;
      case 429:
        return messages.tooMany;
      default:
        return result.status >= 500 ? messages.serverError : fallback || messages.failed;
    }
  }

  // ------------------------------------------------------------------ who am I

  // The name and the role (for a unit's staff: their unit) in the top bar.
  function renderMe(me) {
    me = me || {};
    byId('who').textContent = str(me.display_name || me.username);
    var badge = me.role === 'unit' && me.unit ? str(me.unit) : ROLE_NAMES[me.role] || str(me.role);
    var role = byId('role');
    role.textContent = badge;
    role.hidden = !badge;
  }

  // Who is logged in, and the session's CSRF token for the POSTs: resolves {ok, me} or, when
  // that could not be read (said in the status line), {ok: false, message}.
  function loadMe() {
    return api('GET', API + '/me').then(function (r) {
      if (!r.ok) {
        var message = errorText(r, messages.meFailed);
        showStatus(message, 'error');
        return { ok: false, message: message };
      }
      var me = r.data.agent && typeof r.data.agent === 'object' ? r.data.agent : null;
      session.csrf = str(r.data.csrf);
      renderMe(me);
      return { ok: true, me: me };
    });
  }

  // The top bar's #logout button; beforeLeave stops what the page runs (socket, timers).
  function bindLogout(beforeLeave) {
    var button = byId('logout');
    button.addEventListener('click', function () {
      button.disabled = true;
      session.leaving = true;
      if (beforeLeave) {
        beforeLeave();
      }
      api('POST', LOGOUT_URL).then(function () {
        window.location.assign(LOGIN_PAGE);
      });
    });
  }

  // Leaving the page: no reconnects, refreshes or their messages meanwhile.
  window.addEventListener('beforeunload', function () {
    session.leaving = true;
  });
  // Back from the browser's page cache: start afresh (sockets and timers are gone).
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  window.Hotline = {
    API: API,
    ROLE_NAMES: ROLE_NAMES,
    byId: byId,
    el: el,
    clear: clear,
    pad2: pad2,
    isString: isString,
    str: str,
    shorten: shorten,
    closest: closest,
    parseTime: parseTime,
    showStatus: showStatus,
    isLeaving: isLeaving,
    api: api,
    setMessages: setMessages,
    errorText: errorText,
    renderMe: renderMe,
    loadMe: loadMe,
    bindLogout: bindLogout
  };
})();
