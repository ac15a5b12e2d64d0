/*
 * Login page of the hotline agents' console.
 *
 * Plain ES5 script, no build step. Posts {"username","password"} as JSON to /console/login;
 * on success the server sets the session cookie and we go to /console. Messages from the
 * server are shown with textContent only.
 */
(function () {
  'use strict';

  var LOGIN_URL = '/console/login';
  var CONSOLE_URL = '/console';

  var TEXT = {
    missing: '请输入用户名和密码。',
    missingPassword: '请输入密码。',
    busy: '正在登录…',
    submit: '登录',
    badLogin: '用户名或密码不正确，请重新输入。',
    tooMany: '尝试次数过多，请稍后再试。',
    failed: '登录没有成功，请稍后再试。',
    network: '网络不通，请检查网络后重试。'
  };

  function byId(id) {
    return document.getElementById(id);
  }

  var form = byId('login-form');
  var username = byId('login-username');
  var password = byId('login-password');
  var submit = byId('login-submit');
  var errorBox = byId('login-error');
  var pending = false;

  function showError(text, focusField) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    if (focusField) {
      focusField.setAttribute('aria-invalid', 'true');
      focusField.focus();
    }
  }

  function clearError() {
    errorBox.textContent = '';
    errorBox.hidden = true;
    username.removeAttribute('aria-invalid');
    password.removeAttribute('aria-invalid');
  }

  function setBusy(busy) {
    pending = busy;
    submit.disabled = busy;
    submit.textContent = busy ? TEXT.busy : TEXT.submit;
    form.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  // The server's own Chinese message when it sent one, else a message by status.
  function messageFor(status, data) {
    if (data && typeof data.message === 'string' && data.message) {
      return data.message;
    }
    if (status === 401) {
      return TEXT.badLogin;
    }
    if (status === 429) {
      return TEXT.tooMany;
    }
    return TEXT.failed;
  }

  function onSubmit(event) {
    event.preventDefault();
    if (pending) {
      return;
    }
    clearError();
    var user = username.value.trim();
    var pass = password.value;
    if (!user) {
      showError(TEXT.missing, username);
      return;
    }
    if (!pass) {
      showError(TEXT.missingPassword, password);
      return;
    }
    setBusy(true);
    fetch(LOGIN_URL, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: user, password: pass })
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            return { status: response.status, ok: response.ok, data: data };
          });
      })
      .then(function (result) {
        if (result.ok) {
          window.location.assign(CONSOLE_URL);
          return;
        }
        setBusy(false);
        password.value = '';
        showError(messageFor(result.status, result.data), result.status === 429 ? null : password);
        if (result.status === 429) {
          submit.focus();
        }
      })
      .catch(function () {
        setBusy(false);
        showError(TEXT.network, null);
      });
  }

  form.addEventListener('submit', onSubmit);
  // Typing again hides an old error.
  username.addEventListener('input', clearError);
  password.addEventListener('input', function () {
    if (!errorBox.hidden) {
      clearError();
    }
  });
})();
