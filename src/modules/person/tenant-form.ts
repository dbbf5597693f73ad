import { randomBytes } from 'node:crypto';
import { assertPermitted } from '../auth/policy';
import type { RouteRequest } from '../module';
import { currentBuildingByCode } from './tenant-repo';

const BUILDING_CODE = /^\d{16}$/;

/**
 * `GET /tenant-registration?building=<code>`: the page a building's QR code opens (Building.tenantRegistrationUrl),
 * where a new tenant registers themselves (registerTenant). One self-contained page: no external script, style
 * or font (government intranets reach no CDN), its one script and style allowed by a per-response nonce and
 * nothing else (Content-Security-Policy), posting to the API beside it.
 */
export async function tenantFormRoute({ url, res, viewer, db }: RouteRequest): Promise<void> {
  assertPermitted(viewer, 'tenant:register');
  const given = url.searchParams.get('building')?.trim() ?? '';
  const code = BUILDING_CODE.test(given) ? given : '';
  const building = code ? await currentBuildingByCode(db, code) : null;
  const nonce = randomBytes(16).toString('base64');
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  res.end(renderTenantForm({ code, building, nonce }));
}

interface FormState {
  /** The building code from the QR code (empty when missing or malformed). */
  code: string;
  building: { name: string; address: string | null } | null;
  nonce: string;
}

/** The page; every value from outside is escaped. */
export function renderTenantForm({ code, building, nonce }: FormState): string {
  const where = building
    ? `<p class="building">楼栋：<strong>${escapeHtml(building.name)}</strong>${building.address ? `（${escapeHtml(building.address)}）` : ''}</p>`
    : code
      ? '<p class="warning">未找到该楼栋编码，请重新扫描楼栋二维码，或联系网格员。</p>'
      : '<p class="warning">请扫描楼栋上的二维码打开本页，或填写楼栋编码。</p>';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>租户信息自主申报</title>
<style nonce="${nonce}">
  body { font-family: system-ui, sans-serif; margin: 0; padding: 1rem; max-width: 36rem; margin-inline: auto; color: #1a1a1a; line-height: 1.5; }
  h1 { font-size: 1.3rem; margin: 0.5rem 0; }
  label { display: block; margin-top: 0.8rem; font-weight: 600; }
  label .optional { font-weight: normal; color: #666; font-size: 0.9em; }
  input, select { display: block; width: 100%; box-sizing: border-box; padding: 0.5rem; font-size: 1rem; border: 1px solid #999; border-radius: 4px; }
  input[aria-invalid="true"], select[aria-invalid="true"] { border-color: #b00020; }
  .field-error { color: #b00020; font-size: 0.9rem; margin: 0.2rem 0 0; }
  .notice { font-size: 0.9rem; color: #444; background: #f3f3f3; padding: 0.6rem; border-radius: 4px; }
  .warning { color: #8a5300; }
  button { margin-top: 1.2rem; width: 100%; padding: 0.8rem; font-size: 1.1rem; background: #1f5fbf; color: #fff; border: 0; border-radius: 4px; }
  button[disabled] { background: #888; }
  #result { margin-top: 1rem; }
  #result.ok { color: #1b5e20; }
  #result.error { color: #b00020; }
  #result ul { padding-left: 1.2rem; }
</style>
</head>
<body>
<h1>租户信息自主申报（一进一融一出）</h1>
${where}
<p class="notice">您填写的信息加密保存，仅用于实有人口登记和楼栋门禁授权，由本楼栋所在网格的网格员与您核实后确认。</p>
<noscript><p class="warning">本页需要启用 JavaScript 才能提交。</p></noscript>
<form id="form" novalidate>
  <label for="buildingCode">楼栋编码</label>
  <input id="buildingCode" name="buildingCode" inputmode="numeric" maxlength="16" required value="${escapeHtml(code)}">
  <label for="unit">单元 <span class="optional">（选填，数字）</span></label>
  <input id="unit" name="unit" type="number" inputmode="numeric" min="1" max="100">
  <label for="room">房号</label>
  <input id="room" name="room" maxlength="20" required placeholder="如 1502">
  <label for="name">姓名</label>
  <input id="name" name="name" maxlength="50" required autocomplete="name">
  <label for="gender">性别</label>
  <select id="gender" name="gender" required><option value="">请选择</option><option value="MALE">男</option><option value="FEMALE">女</option></select>
  <label for="idNumber">公民身份号码</label>
  <input id="idNumber" name="idNumber" maxlength="18" required autocomplete="off">
  <label for="phone">手机号码</label>
  <input id="phone" name="phone" type="tel" maxlength="20" required autocomplete="tel">
  <label for="registeredAddress">户籍地址 <span class="optional">（选填）</span></label>
  <input id="registeredAddress" name="registeredAddress" maxlength="200">
  <label for="reason">来本地事由 <span class="optional">（选填）</span></label>
  <input id="reason" name="reason" maxlength="100" list="reasons" placeholder="如 务工">
  <datalist id="reasons"><option value="务工"><option value="经商"><option value="就学"><option value="投亲靠友"><option value="其他"></datalist>
  <label for="arrivedOn">来本地日期 <span class="optional">（选填，默认今天）</span></label>
  <input id="arrivedOn" name="arrivedOn" type="date">
  <label for="permitNumber">居住证号 <span class="optional">（选填）</span></label>
  <input id="permitNumber" name="permitNumber" maxlength="40" autocomplete="off">
  <label for="permitExpiresOn">居住证有效期至 <span class="optional">（选填）</span></label>
  <input id="permitExpiresOn" name="permitExpiresOn" type="date">
  <button id="submit" type="submit">提交申报</button>
</form>
<div id="result" role="status" aria-live="polite"></div>
<script nonce="${nonce}">
(function () {
  var QUERY = 'mutation RegisterTenant($input: RegisterTenantInput!) { registerTenant(input: $input) { __typename' +
    ' ... on TenantRegistrationReceipt { reference status message }' +
    ' ... on ValidationError { message problems { field message } }' +
    ' ... on NotFoundError { message } } }';
  var FIELDS = ['buildingCode', 'unit', 'room', 'name', 'gender', 'idNumber', 'phone', 'registeredAddress', 'reason', 'arrivedOn', 'permitNumber', 'permitExpiresOn'];
  var REQUIRED = ['buildingCode', 'room', 'name', 'gender', 'idNumber', 'phone'];
  var LABELS = { buildingCode: '楼栋编码', unit: '单元', room: '房号', name: '姓名', gender: '性别', idNumber: '公民身份号码', phone: '手机号码',
    registeredAddress: '户籍地址', reason: '来本地事由', arrivedOn: '来本地日期', permitNumber: '居住证号', permitExpiresOn: '居住证有效期至' };
  var form = document.getElementById('form');
  var button = document.getElementById('submit');
  var result = document.getElementById('result');

  function clearErrors() {
    FIELDS.forEach(function (f) {
      var el = document.getElementById(f);
      el.removeAttribute('aria-invalid');
      var old = document.getElementById(f + '-error');
      if (old) old.remove();
    });
    result.textContent = '';
    result.className = '';
  }
  function fieldError(f, text) {
    var el = document.getElementById(f);
    el.setAttribute('aria-invalid', 'true');
    var p = document.createElement('p');
    p.className = 'field-error';
    p.id = f + '-error';
    p.textContent = text;
    el.insertAdjacentElement('afterend', p);
  }
  function show(kind, lines) {
    result.className = kind;
    result.textContent = '';
    lines.forEach(function (line) {
      var p = document.createElement('p');
      p.textContent = line;
      result.appendChild(p);
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearErrors();
    var input = {};
    var missing = [];
    FIELDS.forEach(function (f) {
      var value = document.getElementById(f).value.trim();
      if (value === '') {
        if (REQUIRED.indexOf(f) >= 0) missing.push(f);
        return;
      }
      input[f] = f === 'unit' ? Number(value) : value;
    });
    if (missing.length) {
      missing.forEach(function (f) { fieldError(f, '请填写' + LABELS[f]); });
      show('error', ['请填写所有必填项。']);
      return;
    }
    button.disabled = true;
    fetch('graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY, variables: { input: input } }) })
      .then(function (res) { return res.json(); })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          var e = body.errors[0];
          var ext = e.extensions || {};
          if (ext.code === 'RATE_LIMITED') show('error', ['提交过于频繁，请约 ' + Math.max(1, Math.ceil((ext.retryAfterSeconds || 60) / 60)) + ' 分钟后再试。']);
          else show('error', ['提交未成功：' + e.message]);
          return;
        }
        var p = body.data.registerTenant;
        if (p.__typename === 'TenantRegistrationReceipt') {
          form.hidden = true;
          show('ok', [p.message, '受理编号（核实时出示）：' + p.reference]);
        } else if (p.__typename === 'ValidationError') {
          var general = [];
          p.problems.forEach(function (problem) {
            var f = (problem.field || '').replace(/^input\\./, '');
            if (FIELDS.indexOf(f) >= 0) fieldError(f, problem.message);
            else general.push(problem.message);
          });
          show('error', ['请修改标红的项目后重新提交。'].concat(general));
        } else {
          fieldError('buildingCode', p.message);
          show('error', ['未找到该楼栋，请重新扫描楼栋二维码。']);
        }
      })
      .catch(function () { show('error', ['网络异常，请稍后再试。']); })
      .then(function () { button.disabled = false; });
  });
})();
</script>
</body>
</html>
`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}
