/*
 * Work orders in the console (/console/orders).
 *
 *   - Handling-unit staff (role "unit"): their unit's orders; open one and 签收, 退回, 申请延期,
 *     办结 or 申请终止 it.
 *   - Supervisors (role "supervisor"): the 督办 queues (待派单 with 智能派单's suggestion, 超期/临期,
 *     集中反映, 办结待审, 退回待审, 终止待审, 不满意回访) and the audit log; any order's detail and history.
 *   - Agents (role "agent"): the 电话回访 list (supervisors have it as a tab too): call the
 *     citizen, record each attempt and the rating; and an order opened by its number, without its
 *     citizen, to correct its topic (研判: 更正主题, kept in its history with who and when).
 *   - Anyone else is told the page is not for them (the server answers 403 anyway).
 *
 * Plain ES5 script, no modules and no build step, like console.js; common.js (window.Hotline,
 * loaded first) has the helpers and the fetch wrapper both pages use. JSON over fetch under
 * /console/api; every POST carries the session's X-CSRF-Token header.
 *
 * Security: everything that comes from citizens or from the server is put on the page with
 * textContent / createTextNode only. Nothing is ever parsed as HTML.
 */
(function () {
  'use strict';

  var H = window.Hotline;
  var byId = H.byId, el = H.el, clear = H.clear, str = H.str, isString = H.isString, pad2 = H.pad2;
  var shorten = H.shorten, showStatus = H.showStatus, errorText = H.errorText;

  // ------------------------------------------------------------------ constants

  var API = H.API;
  var UNIT_REFRESH_MS = 60000;
  var SUPERVISOR_REFRESH_MS = 30000;
  var AUDIT_LIMIT = 200;
  var MIN_REASON = 4; // as bot/orders/lifecycle.py _reason
  var MAX_REASON = 2000;
  var CHINA_OFFSET_MS = 8 * 3600 * 1000;

  var PROTECTED = '（保密，不向承办单位提供）';
  var NOT_GIVEN = '（未提供）';

  var CHANNEL_NAMES = { web: '网页', wechat: '微信', rest: '接口', phone: '电话', app: '手机应用' };
  // The unit's own words for the statuses (the same as in the filter).
  var UNIT_STATUS_NAMES = {
    pending: '待受理',
    dispatched: '待签收',
    in_progress: '办理中',
    reviewing: '办结审核中',
    closed: '已办结',
    returned: '退回待审',
    terminated: '已终止'
  };
  // As bot/store/models.py STATUS_LABELS, for the history (which gives only the codes).
  var STATUS_LABELS = {
    pending: '待受理',
    dispatched: '已派单',
    in_progress: '办理中',
    reviewing: '办结审核中',
    closed: '已办结',
    returned: '退回',
    terminated: '终止'
  };
  var DONE_STATUSES = { closed: true, terminated: true };
  var UNIT_ACTIONS_BY_STATUS = {
    dispatched: ['accept', 'return', 'extend', 'close', 'terminate', 'ask-citizen'],
    in_progress: ['return', 'extend', 'close', 'terminate', 'ask-citizen']
  };
  // The unit's buttons in the detail: [label, look].
  var UNIT_BUTTONS = {
    accept: ['签收', 'btn-primary'],
    'return': ['退回', 'btn-danger-outline'],
    extend: ['申请延期', ''],
    close: ['办结', 'btn-primary'],
    terminate: ['申请终止', 'btn-danger-outline'],
    appeal: ['申请评价复核', ''],
    report: ['反馈协办情况', 'btn-primary'],
    'ask-citizen': ['请市民补充', '']
  };
  // The supervisor's buttons in an order's detail while a unit has it: [action, label, look].
  // 更正主题 (研判's topic) in every status: the figures count the order by it even once closed.
  var SUPERVISOR_DETAIL_BUTTONS = {
    pending: [['designate', '会商指定承办', ''], ['set-topic', '更正主题', '']],
    returned: [['designate', '会商指定承办', ''], ['set-topic', '更正主题', '']],
    dispatched: [['set-co-units', '设置协办单位', ''], ['change-lead', '调整主办单位', ''], ['designate', '会商指定承办', ''],
      ['ask-citizen', '请市民补充', ''], ['set-topic', '更正主题', '']],
    in_progress: [['set-co-units', '设置协办单位', ''], ['change-lead', '调整主办单位', ''], ['designate', '会商指定承办', ''],
      ['ask-citizen', '请市民补充', ''], ['set-topic', '更正主题', '']],
    reviewing: [['set-topic', '更正主题', '']],
    closed: [['set-topic', '更正主题', '']],
    terminated: [['set-topic', '更正主题', '']]
  };
  // The supervisor's buttons in a review tab's rows: [action, label, look].
  var REVIEW_BUTTONS = {
    callbacks: [['call-answered', '接通·记录评价', 'btn-primary'], ['call-missed', '未接通', ''],
      ['call-declined', '不愿评价', '']],
    extensions: [['approve-extension', '同意延期', 'btn-primary'], ['refuse-extension', '不同意', 'btn-danger-outline']],
    closings: [['approve-close', '审核通过', 'btn-primary'], ['send-back-close', '退回重办', 'btn-danger-outline']],
    returns: [['approve-return', '同意退回', 'btn-primary'], ['refuse-return', '不同意', 'btn-danger-outline']],
    terminations: [['approve-termination', '同意终止', 'btn-primary'], ['refuse-termination', '不同意', 'btn-danger-outline']],
    dissatisfied: [['reopen-rating', '重新交办', 'btn-primary'], ['keep-rating', '维持办结', '']],
    appeals: [['uphold-appeal', '确已尽责', 'btn-primary'], ['refuse-appeal', '不予支持', 'btn-danger-outline']]
  };
  var HISTORY_KINDS = {
    extension: '延期',
    extension_requested: '申请延期',
    extension_refused: '不同意延期',
    termination_requested: '申请终止',
    termination_refused: '不同意终止',
    rating: '市民评价',
    dissatisfied_review: '不满意，转热线审核',
    rating_reviewed: '回访审核',
    cluster: '关联集中反映',
    callback: '电话回访',
    callback_unreached: '回访未接通',
    callback_declined: '市民不愿评价',
    rating_appeal: '承办单位申请评价复核',
    appeal_upheld: '评价复核：确已尽责',
    appeal_refused: '评价复核：不予支持',
    co_units: '协办单位',
    co_unit_part: '协办单位反馈',
    designated: '会商指定承办',
    citizen_asked: '请市民补充',
    citizen_answered: '市民答复',
    linked: '关联工单',
    topic: '更正主题',
    urged: '市民催办'
  };
  var AUDIT_ACTIONS = {
    list_orders: '查看工单列表',
    read_order: '查看工单详情',
    read_conversation: '查看对话',
    accept: '签收',
    'return': '退回',
    extend: '延期',
    close: '办结',
    terminate: '申请终止',
    dispatch: '派单',
    'review-close': '办结审核',
    'review-extension': '延期审核',
    'review-return': '退回审核',
    'review-termination': '终止审核',
    'review-rating': '回访审核',
    callback: '电话回访',
    read_callbacks: '查看回访名单',
    appeal: '申请评价复核',
    'review-appeal': '评价复核',
    report: '反馈协办情况',
    'co-units': '设置协办单位',
    'set-topic': '更正主题',
    'change-lead': '调整主办单位',
    designate: '会商指定承办',
    'ask-citizen': '请市民补充'
  };
  var TABS = ['urgent', 'pending', 'overdue', 'clusters', 'extensions', 'closings', 'callbacks', 'returns', 'terminations', 'dissatisfied', 'appeals', 'audit'];
  var TAB_NAMES = {
    urgent: '紧急工单',
    pending: '待派单',
    overdue: '超期/临期',
    clusters: '集中反映',
    extensions: '延期待审',
    closings: '办结待审',
    callbacks: '电话回访',
    returns: '退回待审',
    terminations: '终止待审',
    dissatisfied: '不满意回访',
    appeals: '评价复核',
    audit: '审计日志'
  };
  // The class of a table's column by its header (orders.css sizes the columns by kind).
  var COLUMN_CLASSES = {
    '工单编号': 'col-number',
    '状态': 'col-status',
    '类型': 'col-type',
    '诉求内容': 'col-content',
    '地址': 'col-address',
    '地点': 'col-address',
    '登记时间': 'col-time',
    '时间': 'col-time',
    '办理时限': 'col-deadline',
    '处置时限': 'col-deadline',
    '智能派单建议': 'col-suggest',
    '派单': 'col-dispatch',
    '超期情况': 'col-over',
    '承办单位': 'col-unit',
    '退回单位': 'col-unit',
    '涉及单位': 'col-unit',
    '反映人数': 'col-citizens',
    '相关工单': 'col-numbers',
    '退回理由': 'col-reason',
    '办理结果': 'col-reason',
    '市民': 'col-actor',
    '联系电话': 'col-time',
    '回访情况': 'col-reason',
    '回访': 'col-review',
    '联系经过和证据': 'col-reason',
    '市民说明': 'col-reason',
    '单位说明和佐证': 'col-reason',
    '延期理由': 'col-reason',
    '申请延至': 'col-deadline',
    '评价': 'col-rating',
    '审核': 'col-review',
    '操作人': 'col-actor',
    '操作': 'col-action',
    '说明': 'col-detail'
  };
  // Tabs whose count asks for attention when it is not zero.
  var URGENT_TABS = { urgent: true, pending: true, overdue: true, extensions: true, closings: true, callbacks: true, returns: true, terminations: true, dissatisfied: true, appeals: true };

  // The small form every step opens (#action-form), and what it sends: text.what is the word the
  // server uses in its own message, so that the page says the same thing as the server would;
  // send is the request body, where 'text', 'unit', 'days', 'complex' and 'choice' stand for what
  // the form holds (fixed: strings sent as they are); done is the message after it worked ({number}, {deadline}, {unit}).
  var ACTIONS = {
    accept: {
      title: '签收工单',
      submit: '确认签收',
      hint: '签收后开始办理，请在办理时限内办结。',
      deadlineHint: '签收后开始办理，请在 {deadline} 之前办结。',
      path: 'accept',
      send: {},
      done: '已签收工单 {number}，请在 {deadline} 之前办结。'
    },
    'return': {
      title: '退回工单',
      submit: '确认退回',
      danger: true,
      hint: '只有不属于本单位职责的工单才能退回：须在收到派单后1个工作日内提出（情况复杂的2个工作日内），写明理由，由热线审核。退回后不能撤回。',
      text: { label: '退回理由', what: '退回', rows: 4, placeholder: '例如：该事项属于哪个部门的职责，依据是什么' },
      complex: true,
      path: 'return',
      send: { reason: 'text', complex: 'complex' },
      done: '已退回工单 {number}，等待热线审核。'
    },
    extend: {
      title: '申请延期',
      submit: '提交延期',
      hint: '须在办理时限之前申请，写明理由，由热线审核同意后生效；自热线受理之日起累计不能超过规定的上限。',
      text: { label: '延期理由', what: '延期', rows: 3, placeholder: '例如：需要协调多个部门现场核查' },
      days: true,
      path: 'extend',
      send: { reason: 'text', working_days: 'days' },
      done: '已提交工单 {number} 的延期申请，等待热线审核。'
    },
    close: {
      title: '办结工单',
      submit: '确认办结',
      hint: '办理结果经热线审核通过后原样告知市民，请写清楚做了什么、结果如何、是否已与市民沟通。提交后不能再修改；审核未通过会退回本单位继续办理，办理时限不变。',
      text: { label: '办理结果（市民将看到这段文字）', what: '办结', rows: 5, placeholder: '例如：经现场核查，已责令商户整改，噪声已消除' },
      path: 'close',
      send: { result: 'text' },
      done: '工单 {number} 已提交办结，等待热线审核。'
    },
    terminate: {
      title: '申请终止',
      submit: '确认申请终止',
      danger: true,
      hint: '仅限无法联系市民或市民不配合的情况。请写明联系的时间、方式和结果，提交后由热线审核。',
      text: { label: '联系市民的经过和证据', what: '申请终止', rows: 4, placeholder: '例如：12月3日上午、下午两次拨打来电号码均无人接听，已发短信' },
      path: 'terminate',
      send: { evidence: 'text' },
      done: '已提交工单 {number} 的终止申请，等待热线审核。'
    },
    'approve-extension': {
      title: '同意延期',
      submit: '确认同意延期',
      hint: '同意后办理时限改为承办单位申请的日期，并告知市民新的办理时限。',
      quote: ['reason', '延期理由：'],
      path: 'review-extension',
      send: { approve: true },
      done: '已同意延期，工单 {number} 的办理时限为 {deadline}。'
    },
    'refuse-extension': {
      title: '不同意延期',
      submit: '确认不同意延期',
      danger: true,
      hint: '不同意后，承办单位仍须在原办理时限内办结。',
      quote: ['reason', '延期理由：'],
      text: { label: '不同意的理由（承办单位会看到）', what: '不同意延期', rows: 3 },
      path: 'review-extension',
      send: { approve: false, reason: 'text' },
      done: '已不同意工单 {number} 延期。'
    },
    'approve-close': {
      title: '办结审核通过',
      submit: '确认审核通过',
      hint: '审核通过后工单办结，办理结果告知市民并请市民评价（回访）。',
      quote: ['result', '办理结果：'],
      text: { label: '审核意见（可不填）', what: '办结审核', rows: 2, optional: true },
      path: 'review-close',
      send: { approve: true, reason: 'text' },
      done: '工单 {number} 审核通过，已办结。'
    },
    'send-back-close': {
      title: '退回重办',
      submit: '确认退回重办',
      danger: true,
      hint: '不符合办结标准的，退回承办单位继续办理，办理时限不变。',
      quote: ['result', '办理结果：'],
      text: { label: '退回理由（承办单位会看到）', what: '退回重办', rows: 3, placeholder: '例如：未说明现场核查情况，未与市民沟通' },
      path: 'review-close',
      send: { approve: false, reason: 'text' },
      done: '工单 {number} 已退回{unit}继续办理。'
    },
    'call-answered': {
      title: '记录回访结果',
      submit: '保存回访结果',
      hint: '请市民对办理过程和办理结果作出评价。不满意并说明原因的，工单重新交承办单位办理。',
      quote: ['result', '办理结果：'],
      choice: { label: '市民评价', options: [['满意', '满意'], ['基本满意', '基本满意'], ['不满意', '不满意']],
        required: '请选择市民的评价。' },
      text: { label: '市民的意见（不满意时请写明原因）', what: '市民意见', rows: 3, optional: true },
      callback: true,
      fixed: { outcome: 'answered' },
      send: { rating: 'choice', reason: 'text' },
      done: '工单 {number} 回访完成，市民评价：{rating}。'
    },
    'call-missed': {
      title: '未接通',
      submit: '记录本次回访',
      hint: '每个工单最多回访3次；3次均未接通的，记为回访未成功（不计为满意）。号码错误的，回访即结束。',
      choice: { label: '情况', options: [['no_answer', '无人接听'], ['busy', '占线'], ['unreachable', '关机或停机'],
        ['wrong_number', '号码错误']], required: '请选择未接通的情况。' },
      text: { label: '备注（可不填）', what: '备注', rows: 2, optional: true },
      callback: true,
      send: { outcome: 'choice', note: 'text' },
      done: '已记录工单 {number} 的第 {attempts} 次回访。'
    },
    'call-declined': {
      title: '市民不愿评价',
      submit: '确认',
      hint: '市民接通后不愿评价的，回访结束，不计为满意。',
      text: { label: '备注（可不填）', what: '备注', rows: 2, optional: true },
      callback: true,
      fixed: { outcome: 'declined' },
      send: { note: 'text' },
      done: '工单 {number} 回访结束：市民不愿评价。'
    },
    report: {
      title: '反馈协办情况',
      submit: '提交协办情况',
      hint: '本单位是这个工单的协办单位：请写明本单位做了什么、结果如何。主办单位汇总后统一办结；办结前可以修改。',
      text: { label: '本单位的协办情况', what: '协办情况', rows: 4, placeholder: '例如：已配合现场核查，该商户营业执照齐全，已责令其规范经营' },
      path: 'report',
      send: { part: 'text' },
      done: '已反馈工单 {number} 的协办情况。'
    },
    'set-topic': {
      title: '更正主题',
      submit: '保存主题',
      hint: '登记时按诉求内容自动归类；归类不对的，在这里改为主题目录中的正确主题。研判的统计、热点和考核按更正后的主题计算，更正记入办理经过。',
      choice: { label: '主题（大类 › 小类）', options: topicOptions, current: function (row) { return row ? str(row.topic) : ''; },
        required: '请选择主题。' },
      path: 'set-topic',
      send: { topic: 'choice' },
      done: '工单 {number} 的主题已更正。'
    },
    'set-co-units': {
      title: '设置协办单位',
      submit: '保存协办单位',
      hint: '按住 Ctrl（Mac 为 ⌘）可以选择多个单位；都不选即取消协办。已反馈协办情况的单位不能取消。主办单位须在协办单位都反馈后才能办结。',
      units: { label: '协办单位' },
      path: 'co-units',
      send: { units: 'units' },
      done: '工单 {number} 的协办单位已更新。'
    },
    'ask-citizen': {
      title: '请市民补充或答复',
      submit: '发给市民',
      hint: '这段话经热线发到市民原来的渠道（微信或网页），市民的答复和照片会记入工单。举报和要求保密的工单，承办单位看不到市民的姓名和电话，也通过这里联系市民。等待市民补充的天数顺延办理时限。',
      text: { label: '要市民补充或答复的内容（市民会看到这段话）', what: '需要市民补充或转达的内容', rows: 4,
        placeholder: '例如：请提供烧烤店的具体门牌号，以及油烟最严重的时间段，有照片请一并发来' },
      days: { label: '请市民在几个工作日内答复', hint: '1到15个工作日。', max: 15, invalid: '答复期限应为1到15个工作日。' },
      path: 'ask-citizen',
      send: { question: 'text', days: 'days' },
      done: '已把工单 {number} 的问题发给市民，市民答复后会记入工单。'
    },
    designate: {
      title: '会商指定承办',
      submit: '确认指定',
      danger: true,
      hint: '职责交叉或不明确、难以确定承办单位的，经有关单位会商后指定承办单位；指定的单位不能再退回。',
      unit: { label: '指定承办单位', placeholder: '请选择承办单位', required: '请指定承办单位。' },
      text: { label: '会商记录（参加单位和人员、会商结论）', what: '会商记录', rows: 4,
        placeholder: '例如：12月5日，市城管局、市住建局、铁东区政府会商，确定由铁东区城管局牵头办理' },
      path: 'designate',
      send: { unit: 'unit', record: 'text' },
      done: '已指定{unit}承办工单 {number}。'
    },
    'change-lead': {
      title: '调整主办单位',
      submit: '确认调整',
      danger: true,
      hint: '调整后工单交新的主办单位办理，办理时限从今天起重新计算。',
      unit: { label: '新的主办单位', placeholder: '请选择主办单位', excludeCurrent: true, required: '请指定新的主办单位。' },
      text: { label: '调整理由（承办单位会看到）', what: '调整主办单位', rows: 3 },
      path: 'change-lead',
      send: { unit: 'unit', reason: 'text' },
      done: '工单 {number} 的主办单位已调整为{unit}，办理时限 {deadline}。'
    },
    appeal: {
      title: '申请评价复核',
      submit: '提交复核申请',
      hint: '市民评价不满意，但本单位确已依法依规尽责办理的，可以提交书面说明和佐证材料，由热线审核；审核认为确已尽责的，不作负面评价。每次评价只能申请一次。',
      text: { label: '书面说明和佐证材料（做了什么、何时、与谁沟通、有何记录）', what: '评价复核申请', rows: 5,
        placeholder: '例如：12月3日现场核查并拍照留存，已责令商户整改；市民诉求的赔偿事项不属于行政处理范围，已告知其通过诉讼解决' },
      path: 'appeal',
      send: { explanation: 'text' },
      done: '已提交工单 {number} 的评价复核申请，等待热线审核。'
    },
    'uphold-appeal': {
      title: '确已尽责',
      submit: '确认确已尽责',
      hint: '审核认为承办单位确已尽责的，这条不满意评价不计入对该单位的考核。',
      quote: ['explanation', '单位说明：'],
      text: { label: '审核意见（承办单位会看到）', what: '评价复核', rows: 3 },
      path: 'review-appeal',
      send: { upheld: true, reason: 'text' },
      done: '工单 {number} 的评价复核已审核：确已尽责。'
    },
    'refuse-appeal': {
      title: '不予支持',
      submit: '确认不予支持',
      danger: true,
      hint: '维持市民的不满意评价，计入考核。',
      quote: ['explanation', '单位说明：'],
      text: { label: '不予支持的理由（承办单位会看到）', what: '评价复核', rows: 3 },
      path: 'review-appeal',
      send: { upheld: false, reason: 'text' },
      done: '工单 {number} 的评价复核不予支持。'
    },
    'approve-return': {
      title: '同意退回并改派',
      submit: '同意退回并改派',
      hint: '同意后工单改派给新的承办单位，办理时限从今天起重新计算。',
      quote: ['reason', '退回理由：'],
      unit: { label: '改派至', placeholder: '请选择新的承办单位', excludeCurrent: true, required: '同意退回时请指定新的承办单位。' },
      path: 'review-return',
      send: { approve: true, new_unit: 'unit' },
      done: '已同意退回，工单 {number} 改派至{unit}。'
    },
    'refuse-return': {
      title: '不同意退回',
      submit: '确认不同意退回',
      danger: true,
      hint: '不同意后，工单仍由原单位继续办理，办理时限不变。',
      quote: ['reason', '退回理由：'],
      text: { label: '不同意的理由（承办单位会看到）', what: '不同意退回', rows: 3 },
      path: 'review-return',
      send: { approve: false, reason: 'text' },
      done: '已不同意退回，工单 {number} 由{unit}继续办理。'
    },
    'approve-termination': {
      title: '同意终止',
      submit: '确认同意终止',
      danger: true,
      hint: '同意后工单终止，不再办理，不能撤回。',
      quote: ['evidence', '联系经过：'],
      text: { label: '审核意见', what: '终止审核', rows: 3, placeholder: '例如：经核实，承办单位已多次联系市民未果' },
      path: 'review-termination',
      send: { approve: true, reason: 'text' },
      done: '已同意终止工单 {number}。'
    },
    'refuse-termination': {
      title: '不同意终止',
      submit: '确认不同意终止',
      danger: true,
      hint: '不同意后，工单继续由承办单位办理。',
      quote: ['evidence', '联系经过：'],
      text: { label: '不同意的理由（承办单位会看到）', what: '终止审核', rows: 3 },
      path: 'review-termination',
      send: { approve: false, reason: 'text' },
      done: '已不同意终止，工单 {number} 继续办理。'
    },
    'reopen-rating': {
      title: '重新交办',
      submit: '确认重新交办',
      hint: '工单交给所选单位重新办理，办理时限从今天起重新计算。',
      unit: { label: '交办单位', placeholder: '请选择承办单位', preselectCurrent: true, required: '请指定重新办理的承办单位。' },
      text: { label: '审核意见（承办单位会看到）', what: '回访审核', rows: 3 },
      path: 'review-rating',
      send: { reopen: true, unit: 'unit', reason: 'text' },
      done: '工单 {number} 已重新交办{unit}，办理时限 {deadline}。'
    },
    'keep-rating': {
      title: '维持办结',
      submit: '确认维持办结',
      danger: true,
      hint: '维持办结后，这条不满意评价不再等待审核。',
      text: { label: '审核意见', what: '回访审核', rows: 3 },
      path: 'review-rating',
      send: { reopen: false, reason: 'text' },
      done: '工单 {number} 维持办结。'
    }
  };

  // This page's words; network, notFound and conflict replace common.js's (setMessages).
  var TEXT = {
    network: '网络连接失败，请稍后重试。',
    notFound: '没有找到这个工单。',
    conflict: '操作没有成功：工单情况已有变化，请刷新后再试。',
    listFailed: '工单列表没有刷新成功，请稍后再试。',
    detailFailed: '工单详情没有加载成功，请稍后再试。',
    auditFailed: '审计日志没有加载成功，请稍后再试。',
    loading: '正在加载…',
    submitting: '正在提交…',
    dispatching: '正在派单…',
    refreshed: '已刷新。',
    deniedRole: '工单页面只对承办单位、热线班长和坐席（电话回访）开放，您当前的{role}账号没有这项权限。请回到坐席工作台。',
    denied: '工单页面只对承办单位、热线班长和坐席（电话回访）开放，您的账号没有这项权限。',
    daysInvalid: '延期天数应为1到60个工作日。',
    dispatchNeedsUnit: '请先选择承办单位。',
    goneFromList: '这个工单已不在列表中，可能已由他人处理。'
  };

  // ------------------------------------------------------------------ state

  var state = {
    me: null,
    mode: null, // 'unit' | 'supervisor'
    timer: null,
    lastLoad: 0,
    listLoading: false,
    sigs: {}, // part of the page ('unit', a tab) -> signature of what it shows
    // unit
    orders: [],
    filter: '',
    // supervisor
    overview: null,
    tab: 'pending',
    drafts: {}, // number -> {unit, note}: dispatch choices typed but not sent
    dispatching: {}, // number -> true while its dispatch runs
    auditEntries: null,
    auditLoading: false,
    // detail
    detailNumber: null,
    detail: null,
    detailSeq: 0,
    detailOpener: null, // key of the control that opened it, to go back to on close
    // the open action form
    form: null, // {action, number, panel, row, openerKey}
    busy: false
  };

  // ------------------------------------------------------------------ small helpers

  function button(text, className, attrs) {
    var b = el('button', className || 'btn', text);
    b.type = 'button';
    if (attrs) {
      for (var k in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, k) && attrs[k] !== null && attrs[k] !== undefined) {
          b.setAttribute(k, attrs[k]);
        }
      }
    }
    return b;
  }

  // Sets an element's properties (those given, not undefined ones).
  function setProps(node, props) {
    for (var k in props) {
      if (Object.prototype.hasOwnProperty.call(props, k) && props[k] !== undefined) {
        node[k] = props[k];
      }
    }
    return node;
  }

  // A control that is busy loading: disabled, and said so.
  function setBusy(control, busy) {
    control.disabled = busy;
    if (busy) {
      control.setAttribute('aria-busy', 'true');
    } else {
      control.removeAttribute('aria-busy');
    }
  }

  // A number safe to use inside an id.
  function idPart(number) {
    return str(number).replace(/[^A-Za-z0-9_-]/g, '_');
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? str(values[key]) : m;
    });
  }

  // Whether what a part of the page shows has changed since it was last drawn (noted if so).
  function changed(part, what) {
    var sig = JSON.stringify(what);
    if (state.sigs[part] === sig) {
      return false;
    }
    state.sigs[part] = sig;
    return true;
  }

  // ------------------------------------------------------------------ dates

  // The wall clock in China (UTC+8), whatever the computer's own time zone.
  function chinaParts(d) {
    var t = new Date(d.getTime() + CHINA_OFFSET_MS);
    return {
      y: t.getUTCFullYear(),
      m: t.getUTCMonth() + 1,
      d: t.getUTCDate(),
      h: t.getUTCHours(),
      mi: t.getUTCMinutes()
    };
  }

  // 「12月03日 14:05」 in China time (with the year when it is not this year).
  function formatStamp(value) {
    var d = H.parseTime(value);
    if (!d) {
      return str(value);
    }
    var p = chinaParts(d);
    var s = pad2(p.m) + '月' + pad2(p.d) + '日 ' + pad2(p.h) + ':' + pad2(p.mi);
    return p.y === chinaParts(new Date()).y ? s : p.y + '年' + s;
  }

  // A deadline (YYYY-MM-DD) as 「2026年12月08日」.
  function formatDay(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(str(value));
    return m ? m[1] + '年' + m[2] + '月' + m[3] + '日' : str(value);
  }

  function clockNow() {
    var p = chinaParts(new Date());
    return pad2(p.h) + ':' + pad2(p.mi);
  }

  // A <time> for a moment, or with asDay for a day (a deadline).
  function timeEl(value, asDay) {
    var t = el('time', null, asDay ? formatDay(value) : formatStamp(value));
    if (value) {
      t.setAttribute('datetime', str(value));
    }
    return t;
  }

  function dayEl(value) {
    return timeEl(value, true);
  }

  function formatSize(bytes) {
    var n = Number(bytes);
    if (!isFinite(n) || n < 0) {
      return '';
    }
    if (n < 1024) {
      return n + ' 字节';
    }
    if (n < 1024 * 1024) {
      return (n / 1024).toFixed(1) + ' KB';
    }
    return (n / 1024 / 1024).toFixed(1) + ' MB';
  }

  function formatConfidence(value) {
    var n = Number(value);
    if (value === null || value === undefined || value === '' || !isFinite(n)) {
      return '';
    }
    if (n <= 1) {
      n *= 100;
    }
    return Math.round(n) + '%';
  }

  function place(district, address) {
    var d = str(district).trim();
    var a = str(address).trim();
    if (d && a.indexOf(d) === 0) {
      return a;
    }
    return d && a ? d + ' ' + a : d || a;
  }

  // ------------------------------------------------------------------ elements

  var els = {
    title: byId('page-title'),
    toConsole: byId('to-console'),
    main: byId('main'),
    pageLoading: byId('page-loading'),
    denied: byId('denied'),
    deniedText: byId('denied-text'),
    layout: byId('layout'),
    unitView: byId('unit-view'),
    unitTitle: byId('unit-title'),
    unitSummary: byId('unit-summary'),
    filter: byId('status-filter'),
    unitRefresh: byId('unit-refresh'),
    unitUpdated: byId('unit-updated'),
    ordersTable: byId('orders-table'),
    ordersBody: document.querySelector('#orders-table tbody'),
    ordersEmpty: byId('orders-empty'),
    supView: byId('sup-view'),
    supRefresh: byId('sup-refresh'),
    supUpdated: byId('sup-updated'),
    auditForm: byId('audit-form'),
    auditNumber: byId('audit-number'),
    auditActor: byId('audit-actor'),
    auditCitizen: byId('audit-citizen'),
    auditSearch: byId('audit-search'),
    auditClear: byId('audit-clear'),
    detailCol: byId('detail-col'),
    detail: byId('order-detail')
  };

  function tabButton(name) {
    return byId('tabbtn-' + name);
  }

  function tabPanel(name) {
    return byId('tab-' + name);
  }

  function panelBody(name) {
    return tabPanel(name).querySelector('.panel-body');
  }

  // ------------------------------------------------------------------ server calls

  // A 403 on a read (not a stale CSRF token): this account may not use the page.
  function isDenied(result) {
    return result.status === 403 && !(result.data && result.data.error === 'csrf');
  }

  // A list that could not be read: the page is not for this account, or a message saying so.
  function readFailed(result, fallback) {
    if (isDenied(result)) {
      showDenied(errorText(result));
    } else {
      showStatus(errorText(result, fallback), 'error');
    }
  }

  function orderUrl(number, action) {
    if (state.callbacksOnly) {  // an agent reads an order and corrects its topic, nothing else
      return API + '/order-topic/' + encodeURIComponent(number);
    }
    var base = state.mode === 'unit' ? API + '/unit/orders/' : API + '/orders/';
    return base + encodeURIComponent(number) + (action ? '/' + action : '');
  }

  // ------------------------------------------------------------------ the page's parts

  // The page's title, and which part of it shows: 'unit', 'supervisor' or 'denied'.
  function showView(view, title) {
    els.title.textContent = title;
    document.title = title + ' · 12345 热线';
    els.pageLoading.hidden = true;
    els.denied.hidden = view !== 'denied';
    els.layout.hidden = view === 'denied';
    els.unitView.hidden = view !== 'unit';
    els.supView.hidden = view !== 'supervisor';
  }

  function showDenied(text) {
    stopTimer();
    state.mode = null;
    showView('denied', '工单');
    els.deniedText.textContent = text;
    var heading = byId('denied-title');
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }

  // ------------------------------------------------------------------ tables

  // A table whose cells can also be read as cards on a phone: every cell carries its column's
  // name (shown only when the table is stacked). The explicit roles keep the table semantics
  // when the narrow layout changes how the cells are displayed.
  function buildTable(id, caption, headers) {
    var wrap = el('div', 'table-wrap');
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('aria-label', caption);
    wrap.tabIndex = 0;
    var table = el('table', 'data-table');
    table.id = id;
    table.setAttribute('role', 'table');
    table.appendChild(el('caption', 'sr-only', caption));
    var thead = el('thead');
    thead.setAttribute('role', 'rowgroup');
    var tr = el('tr');
    tr.setAttribute('role', 'row');
    for (var i = 0; i < headers.length; i++) {
      var th = el('th', null, headers[i]);
      th.setAttribute('scope', 'col');
      th.setAttribute('role', 'columnheader');
      tr.appendChild(th);
    }
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el('tbody');
    tbody.setAttribute('role', 'rowgroup');
    table.appendChild(tbody);
    wrap.appendChild(table);
    return { wrap: wrap, table: table, tbody: tbody };
  }

  // Content into an element: a node as it is, anything else as text.
  function put(box, content) {
    if (content && typeof content === 'object' && content.nodeType) {
      box.appendChild(content);
    } else {
      box.textContent = str(content);
    }
    return box;
  }

  // A cell with its column label (for the stacked layout) and optional content.
  function cell(tr, label, content, className) {
    var td = el('td', className || null);
    td.setAttribute('role', 'cell');
    var lab = el('span', 'cell-label', label);
    lab.setAttribute('aria-hidden', 'true');
    td.appendChild(lab);
    var box = put(el('div', 'cell-value'), content);
    td.appendChild(box);
    tr.appendChild(td);
    return box;
  }

  // One row per item under the headers in spec.columns: spec.cells(item, number, index) gives
  // the cells' contents in that order, spec.marked(item, tr) marks the row if it needs to;
  // spec.numberField: where an item keeps its order number (default 'number').
  function addRows(tbody, items, spec) {
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var tr = el('tr');
      tr.setAttribute('role', 'row');
      var number = str(item[spec.numberField || 'number']);
      if (number) {
        tr.setAttribute('data-number', number);
      }
      var contents = spec.cells(item, number, i);
      for (var j = 0; j < spec.columns.length; j++) {
        cell(tr, spec.columns[j], contents[j], COLUMN_CLASSES[spec.columns[j]]);
      }
      if (spec.marked) {
        spec.marked(item, tr);
      }
      tbody.appendChild(tr);
    }
  }

  // The order number as a button that opens the detail.
  function numberButton(number, context) {
    var b = button(str(number), 'order-link', { 'data-open': str(number), 'data-key': 'open:' + (context || '') + str(number) });
    b.setAttribute('aria-label', '查看工单 ' + str(number) + ' 的详情');
    return b;
  }

  function badge(text, kind) {
    return el('span', 'badge' + (kind ? ' badge-' + kind : ''), text);
  }

  // Whether the action form is open for this step on this order.
  function isFormOpen(action, number) {
    return !!state.form && state.form.action === action && state.form.number === number;
  }

  // Buttons that open the action form, into box: list of [action, label, look].
  function actionButtons(box, number, list, small) {
    for (var i = 0; i < list.length; i++) {
      var action = list[i][0];
      var b = button(list[i][1], 'btn' + (small ? ' btn-small' : '') + (list[i][2] ? ' ' + list[i][2] : ''), {
        'data-action': action,
        'data-number': number,
        'data-key': action + ':' + number,
        'aria-controls': 'action-form'
      });
      var open = isFormOpen(action, number);
      b.setAttribute('aria-expanded', open ? 'true' : 'false');
      b.disabled = state.busy && open;
      box.appendChild(b);
    }
    return box;
  }

  // The first element under root matching selector whose data-number is number.
  function withNumber(root, selector, number) {
    var nodes = root.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].getAttribute('data-number') === number) {
        return nodes[i];
      }
    }
    return null;
  }

  // The control under root with this data-key (with shown: only one that is on screen).
  function withKey(root, key, shown) {
    var nodes = key ? root.querySelectorAll('[data-key]') : [];
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].getAttribute('data-key') === key && (!shown || nodes[i].offsetParent !== null)) {
        return nodes[i];
      }
    }
    return null;
  }

  // Where keyboard focus is inside a container, by the focused control's data-key.
  function focusKey(container) {
    var active = document.activeElement;
    if (active && active !== container && container.contains(active)) {
      return active.getAttribute('data-key');
    }
    return null;
  }

  function restoreFocus(container, key) {
    var node = withKey(container, key);
    if (node) {
      focusAtEnd(node);
    }
  }

  // Focus with the caret after what is typed (a redrawn text box would put it first).
  function focusAtEnd(node) {
    node.focus();
    if ((node.tagName === 'INPUT' && node.type === 'text') || node.tagName === 'TEXTAREA') {
      try {
        node.setSelectionRange(node.value.length, node.value.length);
      } catch (e) {
        // not a text control after all
      }
    }
  }

  function markOpenRows() {
    var rows = document.querySelectorAll('tr[data-number]');
    for (var i = 0; i < rows.length; i++) {
      var open = state.detailNumber !== null && rows[i].getAttribute('data-number') === state.detailNumber;
      rows[i].classList.toggle('is-open', open);
      if (open) {
        rows[i].setAttribute('aria-current', 'true');
      } else {
        rows[i].removeAttribute('aria-current');
      }
    }
  }

  // ------------------------------------------------------------------ the lists

  function sortOrders(orders) {
    var list = orders.slice();
    list.sort(function (a, b) {
      // An open urgent order (an outage for many households, a disaster) heads the list.
      var au = a.urgent && !DONE_STATUSES[a.status] ? 0 : 1;
      var bu = b.urgent && !DONE_STATUSES[b.status] ? 0 : 1;
      if (au !== bu) {
        return au - bu;
      }
      var ao = a.overdue ? 0 : 1;
      var bo = b.overdue ? 0 : 1;
      if (ao !== bo) {
        return ao - bo;
      }
      var ad = DONE_STATUSES[a.status] ? 1 : 0;
      var bd = DONE_STATUSES[b.status] ? 1 : 0;
      if (ad !== bd) {
        return ad - bd;
      }
      var da = str(a.deadline);
      var db = str(b.deadline);
      if (da !== db) {
        return da < db ? -1 : 1;
      }
      return str(a.number) < str(b.number) ? -1 : str(a.number) > str(b.number) ? 1 : 0;
    });
    return list;
  }

  function unitStatusName(order) {
    return UNIT_STATUS_NAMES[order.status] || str(order.status_label) || str(order.status);
  }

  // 紧急 and its kind (停水, 停电 …): dispatched at once, due within hours.
  function urgentBadge(order) {
    return badge('紧急' + (order.urgent_label ? '·' + str(order.urgent_label) : ''), 'urgent');
  }

  // An urgent order's due time, or the day's deadline of an ordinary one.
  function dueEl(o) {
    return o.due_at ? timeEl(o.due_at) : dayEl(o.deadline);
  }

  function statusName(order) {
    return str(order.status_label) || STATUS_LABELS[order.status] || str(order.status);
  }

  function statusBadges(order, forUnit) {
    var box = el('span', 'badges');
    if (order.urgent) {
      box.appendChild(urgentBadge(order));
    }
    box.appendChild(badge(forUnit ? unitStatusName(order) : statusName(order), 'status-' + str(order.status)));
    if (order.overdue) {
      box.appendChild(badge('已超期', 'overdue'));
    }
    if (order.termination_requested) {
      box.appendChild(badge('终止待审', 'warn'));
    }
    return box;
  }

  // The unit's orders (the table is in orders.html).
  var UNIT_TABLE = {
    columns: ['工单编号', '状态', '类型', '诉求内容', '地址', '登记时间', '办理时限'],
    cells: function (o) {
      return [numberButton(o.number), statusBadges(o, true), str(o.type), shorten(o.content, 60),
        place(o.district, o.address) || '—', timeEl(o.created_at), dayEl(o.deadline)];
    },
    // An overdue order stands out, and so does its deadline.
    marked: function (o, tr) {
      if (o.overdue) {
        tr.classList.add('is-overdue');
        tr.querySelector('.col-deadline .cell-value').classList.add('is-overdue-text');
      }
    }
  };

  function renderUnitList() {
    var orders = sortOrders(state.orders);
    if (!changed('unit', [orders, state.detailNumber])) {
      return;
    }
    var key = focusKey(els.ordersTable);
    clear(els.ordersBody);
    addRows(els.ordersBody, orders, UNIT_TABLE);
    var overdue = orders.filter(function (o) {
      return o.overdue;
    }).length;
    els.ordersTable.parentNode.hidden = orders.length === 0;
    els.ordersEmpty.hidden = orders.length > 0;
    els.ordersEmpty.textContent = state.filter ? '没有「' + filterName() + '」的工单。' : '本单位目前没有工单。';
    var summary = '共 ' + orders.length + ' 件';
    if (state.filter) {
      summary = filterName() + ' ' + orders.length + ' 件';
    }
    if (overdue) {
      summary += '，其中已超期 ' + overdue + ' 件';
    }
    els.unitSummary.textContent = summary;
    restoreFocus(els.ordersTable, key);
    markOpenRows();
  }

  // 研判's hot-spot warnings about this unit's matters (the hotline acknowledges and closes them).
  function renderUnitWarnings(list) {
    var box = byId('unit-warnings');
    clear(box);
    box.hidden = !list.length;
    if (!list.length) {
      return;
    }
    box.appendChild(el('p', 'unit-warnings-title', '研判预警：以下事项涉及本单位，请关注'));
    var ul = el('ul');
    list.forEach(function (w) {
      ul.appendChild(el('li', null, '【' + str(w.kind_label || '热点') + '】' + str(w.reason) +
        '（' + (w.numbers || []).length + ' 件工单）'));
    });
    box.appendChild(ul);
  }

  function filterName() {
    var opt = els.filter.options[els.filter.selectedIndex];
    return opt ? opt.textContent : '';
  }

  function unitListUrl() {
    return API + '/unit/orders' + (state.filter ? '?status=' + encodeURIComponent(state.filter) : '');
  }

  // The list this page shows: the unit's orders, or the supervisor's queues.
  function loadList(manual) {
    if (state.listLoading) {
      return Promise.resolve();
    }
    var unit = state.mode === 'unit';
    var refresh = unit ? els.unitRefresh : els.supRefresh;
    var url = unit ? unitListUrl() : state.callbacksOnly ? API + '/callbacks' : API + '/oversight';
    state.listLoading = true;
    setBusy(refresh, true);
    return H.api('GET', url).then(function (r) {
      state.listLoading = false;
      setBusy(refresh, false);
      state.lastLoad = Date.now();
      if (unit && url !== unitListUrl()) {
        // The filter changed meanwhile: load again for the new one.
        return loadList(manual);
      }
      if (!r.ok) {
        readFailed(r, TEXT.listFailed);
        return;
      }
      if (unit) {
        state.orders = Array.isArray(r.data.orders) ? r.data.orders : [];
        renderUnitList();
        renderUnitWarnings(Array.isArray(r.data.warnings) ? r.data.warnings : []);
      } else {
        var first = !state.overview;
        state.overview = state.callbacksOnly ? { callbacks: r.data.orders || [] } : r.data || {};
        renderOverview();
        // The page opens on 紧急工单 when there are open urgent orders, else on 待派单.
        if (first && !state.tabChosen && !state.callbacksOnly) {
          selectTab(overviewList('urgent').length ? 'urgent' : 'pending', false);
        }
      }
      (unit ? els.unitUpdated : els.supUpdated).textContent = '更新于 ' + clockNow();
      if (manual) {
        showStatus(TEXT.refreshed, 'ok');
      }
    });
  }

  // ------------------------------------------------------------------ supervisor: the queues

  function overviewList(name) {
    var o = state.overview || {};
    return Array.isArray(o[name]) ? o[name] : [];
  }

  // The topic catalogue (from the overview) as [key, label] pairs: 「城乡建设 › 物业管理」.
  function topicOptions() {
    var list = state.overview && Array.isArray(state.overview.topics) ? state.overview.topics
      : state.detail && Array.isArray(state.detail.topics) ? state.detail.topics : [];
    return list.filter(isString).map(function (key) { return [key, topicLabel(key)]; });
  }

  function topicLabel(key) {
    return key ? String(key).replace('/', ' › ') : '';
  }

  function units() {
    var list = state.overview && Array.isArray(state.overview.units) ? state.overview.units : [];
    var out = [];
    for (var i = 0; i < list.length; i++) {
      var name = isString(list[i]) ? list[i] : list[i] && list[i].name;
      if (name) {
        out.push(String(name));
      }
    }
    return out;
  }

  // The unit part of a returning unit as the server names it ("市生态环境局/zhang" -> "市生态环境局").
  function unitOf(actorOrUnit) {
    var s = str(actorOrUnit);
    var slash = s.indexOf('/');
    return slash > 0 ? s.slice(0, slash) : s;
  }

  function unitSelect(id, current, options) {
    var select = el('select', options.className || null);
    if (id) {
      select.id = id;
    }
    var list = units();
    var exclude = options.exclude ? unitOf(options.exclude) : null;
    var names = [];
    for (var i = 0; i < list.length; i++) {
      if (list[i] !== exclude && names.indexOf(list[i]) < 0) {
        names.push(list[i]);
      }
    }
    if (current && current !== exclude && names.indexOf(current) < 0) {
      names.unshift(current);
    }
    var first = el('option', null, options.placeholder || '请选择承办单位');
    first.value = '';
    select.appendChild(first);
    for (var j = 0; j < names.length; j++) {
      var opt = el('option', null, names[j]);
      opt.value = names[j];
      if (names[j] === current) {
        opt.selected = true;
      }
      select.appendChild(opt);
    }
    if (!current || current === exclude) {
      select.value = '';
    }
    return select;
  }

  function updateTabCounts() {
    for (var i = 0; i < TABS.length; i++) {
      var name = TABS[i];
      var btn = tabButton(name);
      clear(btn);
      if (name === 'audit' || !state.overview) {
        btn.textContent = TAB_NAMES[name];
        continue;
      }
      var n = overviewList(name).length;
      btn.appendChild(document.createTextNode(TAB_NAMES[name] + ' '));
      btn.appendChild(el('span', 'tab-count' + (n && URGENT_TABS[name] ? ' has-items' : ''), '(' + n + ')'));
    }
  }

  // The order number with a short line under it (type, status, when).
  // An order's number as text, with its details below (for agents, who do not open orders).
  function numberText(number, parts) {
    var box = el('span', 'number-cell');
    box.appendChild(el('span', 'order-no', number));
    box.appendChild(el('span', 'cell-sub', parts.filter(function (p) { return !!p; }).join(' · ')));
    return box;
  }

  function numberWithMeta(number, parts) {
    var box = el('span', 'number-cell');
    box.appendChild(numberButton(number));
    var meta = el('span', 'cell-sub');
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === null || parts[i] === undefined || parts[i] === '') {
        continue;
      }
      if (meta.firstChild) {
        meta.appendChild(document.createTextNode(' · '));
      }
      meta.appendChild(typeof parts[i] === 'object' ? parts[i] : document.createTextNode(String(parts[i])));
    }
    if (meta.firstChild) {
      box.appendChild(meta);
    }
    return box;
  }

  // A value with a smaller second line (e.g. a unit and when it asked).
  function withSub(main, sub) {
    var box = el('span', 'stack-cell');
    box.appendChild(typeof main === 'object' && main !== null ? main : el('span', null, str(main)));
    if (sub) {
      var line = el('span', 'cell-sub');
      line.appendChild(sub);
      box.appendChild(line);
    }
    return box;
  }

  // The unit of a row in a review tab, with when it asked.
  function unitAsked(o) {
    return withSub(str(o.unit) || '—', askedAt(o));
  }

  function askedAt(o) {
    return o.at ? timeEl(o.at) : null;
  }

  function reviewButtons(tab, number) {
    return actionButtons(el('div', 'review-ctl'), number, REVIEW_BUTTONS[tab], true);
  }

  function registered(o) {
    var when = el('span', null);
    when.appendChild(timeEl(o.created_at));
    when.appendChild(document.createTextNode(' 登记'));
    return when;
  }

  function suggestion(o) {
    var suggest = el('span', 'suggest-cell');
    if (o.suggested_unit) {
      suggest.appendChild(el('span', 'suggest-unit', str(o.suggested_unit)));
      var conf = formatConfidence(o.confidence);
      if (conf) {
        suggest.appendChild(el('span', 'confidence', '置信度 ' + conf));
      }
    } else {
      suggest.appendChild(el('span', 'muted', '（无建议）'));
    }
    return suggest;
  }

  // A pending order's unit, note and 派单 button (what was typed survives a redraw: drafts).
  function dispatchControl(o) {
    var number = str(o.number);
    var draft = state.drafts[number] || {};
    var busy = !!state.dispatching[number];
    var ctl = el('div', 'dispatch-ctl');
    var select = unitSelect('dispatch-unit-' + idPart(number), draft.unit !== undefined ? draft.unit : str(o.suggested_unit), {
      className: 'unit-select'
    });
    var note = setProps(el('input', 'note-input'), {
      id: 'dispatch-note-' + idPart(number),
      type: 'text',
      maxLength: 500,
      autocomplete: 'off',
      placeholder: '派单说明（可不填）',
      value: str(draft.note)
    });
    var labels = [['unit:', '工单 ' + number + ' 派至单位'], ['note:', '工单 ' + number + ' 派单说明（可不填）']];
    var controls = [select, note];
    // Where the hotline sets each order's time limit (通辽条例第十八条第二项).
    if ((state.overview || {}).deadline_per_order) {
      controls.push(setProps(el('input', 'days-input'), {
        id: 'dispatch-days-' + idPart(number),
        type: 'number',
        min: '1',
        max: '60',
        step: '1',
        inputMode: 'numeric',
        title: '办理时限（工作日）',
        value: str(draft.days !== undefined ? draft.days : state.overview.working_days)
      }));
      labels.push(['days:', '工单 ' + number + ' 办理时限（工作日）']);
    }
    for (var i = 0; i < controls.length; i++) {
      var label = el('label', 'sr-only', labels[i][1]);
      label.htmlFor = controls[i].id;
      controls[i].setAttribute('data-number', number);
      controls[i].setAttribute('data-key', labels[i][0] + number);
      controls[i].disabled = busy;
      ctl.appendChild(label);
      ctl.appendChild(controls[i]);
    }
    var go = button(busy ? TEXT.dispatching : '派单', 'btn btn-primary btn-small', {
      'data-action': 'dispatch',
      'data-number': number,
      'data-key': 'dispatch:' + number
    });
    go.disabled = busy;
    ctl.appendChild(go);
    return ctl;
  }

  function overdueText(o) {
    if (!o.overdue) {
      return '临期';
    }
    var n = Number(o.working_days_over);
    return n > 0 ? '超期' + n + '个工作日' : '已超期';
  }

  function clusterTimes(c) {
    var when = el('span', 'time-range');
    when.appendChild(timeEl(c.first_at));
    if (c.last_at && c.last_at !== c.first_at) {
      when.appendChild(document.createTextNode(' 至 '));
      when.appendChild(timeEl(c.last_at));
    }
    return when;
  }

  function clusterNumbers(c) {
    var numbers = el('span', 'number-list');
    var list = Array.isArray(c.orders) ? c.orders : [];
    for (var j = 0; j < list.length; j++) {
      numbers.appendChild(numberButton(list[j], 'cluster:'));
    }
    return numbers;
  }

  function actorName(actor) {
    var s = str(actor);
    if (s === 'bot') {
      return '智能助手';
    }
    if (s === 'citizen') {
      return '市民';
    }
    var m = /^(console|staff):(.+)$/.exec(s);
    if (m) {
      return '热线 ' + m[2];
    }
    m = /^unit:(.+)$/.exec(s);
    return m ? m[1] : s;
  }

  // A step asked for and refused by the rules is audited as refused_<step> (with the reason's code).
  function auditActionName(action) {
    if (AUDIT_ACTIONS[action]) {
      return AUDIT_ACTIONS[action];
    }
    if (action.indexOf('refused_') === 0) {
      var step = action.slice('refused_'.length);
      return '未执行：' + (AUDIT_ACTIONS[step] || step);
    }
    return action;
  }

  // An entry's detail; a list read names the orders whose citizens' data it showed.
  function auditDetail(action, detail) {
    var box = el('span', 'audit-detail');
    var summary = detail;
    var full = detail;
    if (action === 'list_orders' && detail) {
      var numbers = detail.split(',');
      summary = '列表中显示了 ' + numbers.length + ' 个工单的市民信息';
      full = numbers.join('、');
    } else if (detail.length <= 120) {
      box.textContent = detail || '—';
      return box;
    } else {
      summary = shorten(detail, 60);
    }
    var more = el('details');
    more.appendChild(el('summary', null, summary));
    more.appendChild(el('p', 'audit-full', full));
    box.appendChild(more);
    return box;
  }

  // The supervisor's tabs (#<tab>-table; columns, cells and marked as for addRows), what an
  // empty one says.
  var PANELS = {
    urgent: {
      caption: '未办结的紧急工单（最先到期的在前）',
      empty: '没有未办结的紧急工单。',
      columns: ['工单编号', '状态', '承办单位', '处置时限', '诉求内容', '地址'],
      cells: function (o, number) {
        var status = el('span', 'badges');
        status.appendChild(urgentBadge(o));
        status.appendChild(badge(statusName(o), 'status-' + str(o.status)));
        if (o.overdue) {
          status.appendChild(badge('已超时', 'overdue'));
        }
        return [numberWithMeta(number, [str(o.type), registered(o)]), status, str(o.unit) || '（待派单）',
          dueEl(o), shorten(o.content, 80), str(o.address) || '—'];
      },
      marked: function (o, tr) {
        tr.classList.add(o.overdue ? 'is-overdue' : 'is-urgent');
      }
    },
    pending: {
      caption: '待派单的工单',
      empty: '没有待派单的工单。',
      columns: ['工单编号', '诉求内容', '地址', '智能派单建议', '派单'],
      cells: function (o, number) {
        var content = shorten(o.content, 80);
        if (o.urgent || o.waiting_too_long) {
          content = el('span', 'badges');
          if (o.urgent) {
            content.appendChild(urgentBadge(o));
          }
          if (o.waiting_too_long) {
            content.appendChild(badge('待派超' + str(o.dispatch_within_hours) + '小时', 'overdue'));
          }
          content.appendChild(document.createTextNode(shorten(o.content, 80)));
        }
        return [numberWithMeta(number, [str(o.type), registered(o)]), content, str(o.address) || '—',
          suggestion(o), dispatchControl(o)];
      }
    },
    overdue: {
      caption: '超期和临期的工单',
      empty: '没有超期或临期的工单。',
      columns: ['工单编号', '超期情况', '承办单位', '办理时限', '诉求内容'],
      cells: function (o, number) {
        return [numberWithMeta(number, [str(o.type), statusName(o)]), badge(overdueText(o), o.overdue ? 'overdue' : 'soon'),
          str(o.unit) || '（未派单）', dayEl(o.deadline), shorten(o.content, 80)];
      },
      marked: function (o, tr) {
        tr.classList.add(o.overdue ? 'is-overdue' : 'is-due-soon');
      }
    },
    clusters: {
      caption: '集中反映的事项',
      empty: '目前没有集中反映的事项。',
      columns: ['反映人数', '诉求内容', '地点', '涉及单位', '时间', '相关工单'],
      cells: function (c) {
        var unitsList = Array.isArray(c.units) ? c.units : [];
        return [badge(str(c.citizens) + ' 位市民', 'warn'), shorten(c.content, 100), place(c.district, c.address) || '—',
          unitsList.length ? unitsList.join('、') : '（尚未派单）', clusterTimes(c), clusterNumbers(c)];
      },
      marked: function (c, tr) {
        tr.setAttribute('data-cluster', str(c.cluster));
      }
    },
    extensions: {
      caption: '待审核的延期申请',
      empty: '没有待审核的延期申请。',
      columns: ['工单编号', '承办单位', '延期理由', '办理时限', '申请延至', '审核'],
      cells: function (o, number) {
        var meta = [str(o.type)];
        if (o.extensions) {
          meta.push('已延期 ' + o.extensions + ' 次');
        }
        return [numberWithMeta(number, meta), unitAsked(o), str(o.reason) || '—', dayEl(o.deadline),
          o.requested_deadline ? dayEl(o.requested_deadline) : '—', reviewButtons('extensions', number)];
      }
    },
    callbacks: {
      caption: '待电话回访的工单',
      empty: '目前没有需要电话回访的工单。',
      columns: ['工单编号', '市民', '联系电话', '办理结果', '回访情况', '回访'],
      cells: function (o, number) {
        var meta = [str(o.type), str(o.reason)];
        var id = state.callbacksOnly ? numberText(number, meta) : numberWithMeta(number, meta);
        var tries = '已回访 ' + str(o.attempts) + '/' + str(o.max_attempts) + ' 次';
        return [id, str(o.name) || NOT_GIVEN, str(o.phone), str(o.result) || '—',
          withSub(el('span', null, tries), o.last_attempt ? document.createTextNode(str(o.last_attempt)) : null),
          reviewButtons('callbacks', number)];
      }
    },
    closings: {
      caption: '待审核的办结',
      empty: '没有待审核的办结。',
      columns: ['工单编号', '承办单位', '办理结果', '诉求内容', '办理时限', '审核'],
      cells: function (o, number) {
        var meta = [str(o.type)];
        if (o.sent_back) {
          meta.push('已退回重办 ' + o.sent_back + ' 次');
        }
        return [numberWithMeta(number, meta), unitAsked(o), str(o.result) || '—', shorten(o.content, 80),
          dayEl(o.deadline), reviewButtons('closings', number)];
      }
    },
    returns: {
      caption: '待审核的退回',
      empty: '没有待审核的退回申请。',
      columns: ['工单编号', '退回单位', '退回理由', '诉求内容', '办理时限', '审核'],
      cells: function (o, number) {
        return [numberWithMeta(number, [str(o.type)]), unitAsked(o), str(o.reason) || '—', shorten(o.content, 80),
          dayEl(o.deadline), reviewButtons('returns', number)];
      }
    },
    terminations: {
      caption: '待审核的终止申请',
      empty: '没有待审核的终止申请。',
      columns: ['工单编号', '承办单位', '联系经过和证据', '诉求内容', '审核'],
      cells: function (o, number) {
        return [numberWithMeta(number, [str(o.type), str(o.status_label)]), unitAsked(o), str(o.evidence) || '—',
          shorten(o.content, 80), reviewButtons('terminations', number)];
      }
    },
    dissatisfied: {
      caption: '需要审核的不满意评价',
      empty: '没有需要审核的不满意评价。',
      columns: ['工单编号', '承办单位', '评价', '市民说明', '诉求内容', '审核'],
      cells: function (o, number) {
        return [numberWithMeta(number, [str(o.type)]), str(o.unit) || '—',
          withSub(badge(str(o.rating) || '不满意', 'overdue'), askedAt(o)), str(o.rating_reason) || '（市民没有说明原因）',
          shorten(o.content, 80), reviewButtons('dissatisfied', number)];
      }
    },
    appeals: {
      caption: '承办单位申请复核的不满意评价',
      empty: '没有待审核的评价复核申请。',
      columns: ['工单编号', '承办单位', '评价', '单位说明和佐证', '诉求内容', '审核'],
      cells: function (o, number) {
        return [numberWithMeta(number, [str(o.type)]), unitAsked(o),
          withSub(badge(str(o.rating) || '不满意', 'overdue'), document.createTextNode(str(o.rating_reason) || '')),
          str(o.explanation) || '—', shorten(o.content, 80), reviewButtons('appeals', number)];
      }
    },
    audit: {
      caption: '审计日志（最新的在前）',
      empty: '没有符合条件的记录。',
      numberField: 'order_number',
      columns: ['时间', '操作人', '操作', '工单编号', '说明'],
      cells: function (e, number, i) {
        var action = str(e.action);
        return [timeEl(e.at), str(e.actor), auditActionName(action),
          number ? numberButton(number, 'audit' + i + ':') : '—', auditDetail(action, str(e.detail))];
      }
    }
  };

  // What else a tab's rows show besides the list (the table is redrawn when that changes).
  function panelExtra(name) {
    if (name === 'pending') {
      return [units(), state.dispatching];
    }
    return REVIEW_BUTTONS[name] ? [formKey(), units()] : null;
  }

  // Rebuilds one tab's table when what it shows changed, keeping keyboard focus and the
  // sideways scroll in place.
  function renderPanel(name) {
    var spec = PANELS[name];
    var rows = name === 'audit' ? state.auditEntries || [] : overviewList(name);
    var body = panelBody(name);
    if (!changed(name, [rows, panelExtra(name), state.detailNumber])) {
      return;
    }
    var key = focusKey(body);
    var scroll = body.querySelector('.table-wrap');
    var scrollLeft = scroll ? scroll.scrollLeft : 0;
    clear(body);
    if (!rows.length) {
      body.appendChild(el('p', 'empty list-empty', spec.empty));
      return;
    }
    var t = buildTable(name + '-table', spec.caption, spec.columns);
    addRows(t.tbody, rows, spec);
    body.appendChild(t.wrap);
    restoreFocus(body, key);
    t.wrap.scrollLeft = scrollLeft;
  }

  function renderOverview() {
    updateTabCounts();
    for (var i = 0; i < TABS.length; i++) {
      if (TABS[i] !== 'audit') {
        renderPanel(TABS[i]);
      }
    }
    markOpenRows();
    checkFormStillListed();
  }

  function loadAudit(manual) {
    if (state.auditLoading) {
      return Promise.resolve();
    }
    state.auditLoading = true;
    els.auditSearch.disabled = true;
    var params = ['limit=' + AUDIT_LIMIT];
    var number = els.auditNumber.value.trim();
    var actor = els.auditActor.value.trim();
    if (number) {
      params.unshift('number=' + encodeURIComponent(number));
    }
    if (actor) {
      params.splice(number ? 1 : 0, 0, 'actor=' + encodeURIComponent(actor));
    }
    var citizen = els.auditCitizen.value.trim();
    if (citizen) {
      params.unshift('citizen=' + encodeURIComponent(citizen));
    }
    return H.api('GET', API + '/audit?' + params.join('&')).then(function (r) {
      state.auditLoading = false;
      els.auditSearch.disabled = false;
      if (!r.ok) {
        readFailed(r, TEXT.auditFailed);
        return;
      }
      state.auditEntries = Array.isArray(r.data.entries) ? r.data.entries : [];
      renderPanel('audit');
      if (manual) {
        showStatus('找到 ' + state.auditEntries.length + ' 条记录。', 'ok');
      }
    });
  }

  // ------------------------------------------------------------------ supervisor: tabs

  function selectTab(name, focus) {
    if (TABS.indexOf(name) < 0) {
      return;
    }
    state.tab = name;
    for (var i = 0; i < TABS.length; i++) {
      var on = TABS[i] === name;
      var btn = tabButton(TABS[i]);
      btn.setAttribute('aria-selected', on ? 'true' : 'false');
      btn.tabIndex = on ? 0 : -1;
      tabPanel(TABS[i]).hidden = !on;
    }
    if (focus) {
      tabButton(name).focus();
    }
    if (name === 'audit' && state.auditEntries === null) {
      loadAudit(false);
    }
  }

  // Arrow keys, Home and End move between the tabs (WAI-ARIA tabs pattern).
  function onTabKey(event) {
    var key = event.key;
    var i = TABS.indexOf(state.tab);
    var next = null;
    if (key === 'ArrowRight') {
      next = TABS[(i + 1) % TABS.length];
    } else if (key === 'ArrowLeft') {
      next = TABS[(i - 1 + TABS.length) % TABS.length];
    } else if (key === 'Home') {
      next = TABS[0];
    } else if (key === 'End') {
      next = TABS[TABS.length - 1];
    }
    if (next) {
      event.preventDefault();
      state.tabChosen = true;
      selectTab(next, true);
    }
  }

  // ------------------------------------------------------------------ supervisor: dispatch

  function dispatchOrder(number) {
    if (state.dispatching[number]) {
      return;
    }
    var select = withNumber(panelBody('pending'), '.unit-select', number);
    var note = withNumber(panelBody('pending'), '.note-input', number);
    var unit = select ? select.value : '';
    if (!unit) {
      showStatus(TEXT.dispatchNeedsUnit, 'error');
      if (select) {
        select.focus();
      }
      return;
    }
    var text = note ? note.value.trim() : '';
    var daysInput = withNumber(panelBody('pending'), '.days-input', number);
    var days = daysInput ? daysInput.value.trim() : '';
    if (daysInput && (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > 60)) {
      showStatus('办理时限应为1到60个工作日。', 'error');
      daysInput.focus();
      return;
    }
    state.drafts[number] = { unit: unit, note: note ? note.value : '', days: daysInput ? days : undefined };
    state.dispatching[number] = true;
    renderPanel('pending');
    var body = { unit: unit, note: text };
    if (daysInput) {
      body.working_days = parseInt(days, 10);
    }
    H.api('POST', orderUrl(number, 'dispatch'), body).then(function (r) {
      delete state.dispatching[number];
      if (!r.ok) {
        state.sigs.pending = null;
        renderPanel('pending');
        showStatus(errorText(r), 'error');
        restoreFocus(panelBody('pending'), 'dispatch:' + number);
        return;
      }
      delete state.drafts[number];
      showStatus('工单 ' + number + ' 已派至' + str(r.data.unit || unit) + '，办理时限 ' + formatDay(r.data.deadline) + '。', 'ok');
      afterChange(number, tabPanel('pending'));
    });
  }

  // ------------------------------------------------------------------ detail

  function showDetailColumn(show) {
    els.detailCol.hidden = !show;
    els.layout.classList.toggle('has-detail', show);
  }

  function openDetail(number, openerKey) {
    number = str(number);
    if (!number) {
      return;
    }
    var same = state.detailNumber === number;
    state.detailNumber = number;
    state.detailOpener = openerKey || null;
    if (!same) {
      state.detail = null;
      if (state.form && state.mode === 'unit') {
        closeForm(false);
      }
      renderDetailNote(number, el('p', 'empty detail-loading', TEXT.loading));
    }
    showDetailColumn(true);
    markOpenRows();
    loadDetail(true);
  }

  function closeDetail() {
    if (state.form && state.mode === 'unit') {
      closeForm(false);
    }
    state.detailNumber = null;
    state.detail = null;
    state.detailSeq++;
    clear(els.detail);
    showDetailColumn(false);
    markOpenRows();
    var opener = withKey(document, state.detailOpener, true);
    state.detailOpener = null;
    (opener || els.main).focus();
  }

  // The detail's head and one line under it: while it loads, or why it could not be read (then
  // an open form goes: there is nothing to do it on).
  function renderDetailNote(number, note, dropForm) {
    var form = detachForm();
    if (form && dropForm) {
      closeForm(false);
      form = null;
    }
    clear(els.detail);
    els.detail.appendChild(detailHead(number, null));
    els.detail.appendChild(note);
    if (form) {
      reattachForm(form);
    }
  }

  function loadDetail(focus) {
    var number = state.detailNumber;
    if (!number) {
      return Promise.resolve();
    }
    var seq = ++state.detailSeq;
    els.detail.setAttribute('aria-busy', 'true');
    if (focus) {
      focusDetailTitle();
    }
    return H.api('GET', orderUrl(number)).then(function (r) {
      if (seq !== state.detailSeq || number !== state.detailNumber) {
        return;
      }
      els.detail.removeAttribute('aria-busy');
      if (!r.ok) {
        if (isDenied(r) && r.data && r.data.error === 'forbidden') {
          showDenied(errorText(r));
          return;
        }
        var message = errorText(r, TEXT.detailFailed);
        if (state.detail && r.status !== 404) {
          // Keep what is shown; say the refresh failed.
          showStatus(message, 'error');
          return;
        }
        state.detail = null;
        renderDetailNote(number, el('p', 'notice notice-warn', message), true);
        showStatus(message, 'error');
        return;
      }
      state.detail = r.data || {};
      renderDetail();
      if (focus) {
        focusDetailTitle();
      }
    });
  }

  function focusDetailTitle() {
    var title = byId('detail-title');
    if (title) {
      title.focus();
    }
  }

  function detailHead(number, order) {
    var head = el('div', 'detail-head');
    var h = el('h2', 'detail-title');
    h.id = 'detail-title';
    h.tabIndex = -1;
    h.appendChild(document.createTextNode('工单 '));
    h.appendChild(el('span', 'order-no', number));
    head.appendChild(h);
    var close = button('关闭详情', 'btn btn-small detail-close', { 'data-key': 'detail-close' });
    close.addEventListener('click', closeDetail);
    head.appendChild(close);
    if (order) {
      var badges = statusBadges(order, state.mode === 'unit');
      if (order.confidential) {
        badges.appendChild(badge('保密', 'muted'));
      }
      var line = el('div', 'detail-badges');
      line.appendChild(badges);
      head.appendChild(line);
    }
    return head;
  }

  function isProtectedForUnit(order) {
    return state.mode === 'unit' && (order.confidential === true || order.type === '举报');
  }

  function personalValue(value, order) {
    if (value !== null && value !== undefined && str(value).trim() !== '') {
      return { text: str(value), cls: '' };
    }
    if (order && order.personal_hidden) {  // an agent correcting a topic: the citizen is not theirs to read here
      return { text: '（不显示）', cls: 'is-protected' };
    }
    if (isProtectedForUnit(order)) {
      return { text: PROTECTED, cls: 'is-protected' };
    }
    return { text: NOT_GIVEN, cls: 'is-none' };
  }

  function addField(dl, label, value, options) {
    options = options || {};
    var dd = put(el('dd', options.className || null), value);
    if (options.id) {
      dd.id = options.id;
    }
    dl.appendChild(el('dt', null, label));
    dl.appendChild(dd);
    return dd;
  }

  function historyTitle(h) {
    var kind = str(h.kind) || 'status';
    if (kind !== 'status' && HISTORY_KINDS[kind]) {
      return HISTORY_KINDS[kind];
    }
    var to = STATUS_LABELS[h.to] || str(h.to);
    if (!h.from) {
      return '登记工单（' + to + '）';
    }
    if (h.from === h.to) {
      return HISTORY_KINDS[kind] || to;
    }
    var from = STATUS_LABELS[h.from] || str(h.from);
    return from + ' → ' + to;
  }

  function renderHistory(list) {
    var ol = el('ol', 'history');
    ol.id = 'detail-history';
    for (var i = 0; i < list.length; i++) {
      var h = list[i] || {};
      var li = el('li', 'history-item history-' + (str(h.kind) || 'status'));
      var meta = el('p', 'history-meta');
      meta.appendChild(timeEl(h.at));
      meta.appendChild(el('span', 'history-actor', h.actor_name || actorName(h.actor)));
      li.appendChild(meta);
      li.appendChild(el('p', 'history-what', historyTitle(h)));
      if (h.note) {
        li.appendChild(el('p', 'history-note', str(h.note)));
      }
      ol.appendChild(li);
    }
    return ol;
  }

  // What the unit can do with the order now (and the place for the action form).
  function unitActions(order, number) {
    var actions = (UNIT_ACTIONS_BY_STATUS[order.status] || []).slice();
    if (order.co_unit) {
      actions = UNIT_ACTIONS_BY_STATUS[order.status] ? ['report'] : [];
    }
    if (order.termination_requested) {
      actions.splice(actions.indexOf('terminate'), 1);
    }
    if (order.awaiting_citizen && actions.indexOf('ask-citizen') >= 0) {
      actions.splice(actions.indexOf('ask-citizen'), 1); // one question at a time
    }
    if (order.designated && actions.indexOf('return') >= 0) {
      actions.splice(actions.indexOf('return'), 1); // designated after a consultation: no return
    }
    if (order.appealable && !order.co_unit) {
      actions.push('appeal');
    }
    if (order.extension_requested && actions.indexOf('extend') >= 0) {
      actions.splice(actions.indexOf('extend'), 1);
    }
    if (actions.length) {
      var list = [];
      for (var i = 0; i < actions.length; i++) {
        list.push([actions[i], UNIT_BUTTONS[actions[i]][0], UNIT_BUTTONS[actions[i]][1]]);
      }
      var bar = el('div', 'detail-actions');
      bar.setAttribute('role', 'group');
      bar.setAttribute('aria-label', '办理操作');
      els.detail.appendChild(actionButtons(bar, number, list, false));
    } else {
      els.detail.appendChild(el('p', 'form-hint detail-readonly', '这个工单现在是「' + unitStatusName(order) + '」，只能查看。'));
    }
    els.detail.appendChild(el('div', 'action-slot'));
  }

  function detailFields(order, unitMode) {
    var dl = el('dl', 'detail-fields');
    addField(dl, '诉求类型', str(order.type) || '—');
    addField(dl, '诉求内容', order.content === null && order.personal_hidden ? '（举报或要求保密，不显示）' : str(order.content) || '—',
      { className: 'is-long' });
    addField(dl, '地址', order.personal_hidden ? '（不显示）' : str(order.address) || '—');
    addField(dl, '所在区县', str(order.district) + (order.street ? ' ' + str(order.street) : '') || '—');
    if (!unitMode) {
      addField(dl, '主题', topicLabel(order.topic) || '（未分类）', { id: 'detail-topic' });
    }
    var name = personalValue(order.name, order);
    addField(dl, '姓名', name.text, { id: 'detail-name', className: name.cls });
    var phone = personalValue(order.phone, order);
    addField(dl, '联系电话', phone.text, { id: 'detail-phone', className: phone.cls });
    var channel = order.channel ? { text: CHANNEL_NAMES[order.channel] || str(order.channel), cls: '' } : personalValue(null, order);
    addField(dl, '来源渠道', channel.text, { className: channel.cls });
    addField(dl, '是否需要答复', order.wants_reply ? '需要答复' : '不需要答复');
    if (!unitMode) {
      addField(dl, '保密', order.confidential ? '是（不向承办单位提供市民信息）' : '否');
    }
    addField(dl, (order.co_units || []).length ? '主办单位' : '承办单位', str(order.unit) || '（尚未派单）');
    var helpers = Array.isArray(order.co_units) ? order.co_units : [];
    if (helpers.length) {
      var parts = [];
      for (var h = 0; h < helpers.length; h++) {
        parts.push(str(helpers[h].unit) + (helpers[h].part ? '：' + str(helpers[h].part) : '（尚未反馈）'));
      }
      addField(dl, '协办单位', parts.join('\n'), { className: 'is-long' });
    }
    addField(dl, '登记时间', timeEl(order.created_at));
    var due = addField(dl, '办理时限', dayEl(order.deadline));
    if (order.overdue) {
      due.appendChild(document.createTextNode(' '));
      due.appendChild(badge('已超期', 'overdue'));
    }
    if (!unitMode && order.suggested_unit) {
      var conf = formatConfidence(order.confidence);
      addField(dl, '智能派单建议', str(order.suggested_unit) + (conf ? '（置信度 ' + conf + '）' : ''));
    }
    if (!unitMode && order.cluster) {
      addField(dl, '集中反映', '与工单 ' + str(order.cluster) + ' 等反映的同一事项关联');
    }
    if (order.result) {
      addField(dl, '办理结果', str(order.result), { className: 'is-long' });
    }
    if (!unitMode && order.rating) {
      addField(dl, '市民评价', str(order.rating) + (order.rating_reason ? '：' + str(order.rating_reason) : ''));
    }
    var files = Array.isArray(order.attachments) ? order.attachments : [];
    if (files.length) {
      var ul = el('ul', 'attachments');
      for (var j = 0; j < files.length; j++) {
        var f = files[j] || {};
        var size = formatSize(f.size);
        var item = el('li', null, str(f.filename) || '（未命名文件）');
        if (size) {
          item.appendChild(el('span', 'muted', '（' + size + '）'));
        }
        ul.appendChild(item);
      }
      addField(dl, '附件', ul);
    }
    return dl;
  }

  function renderDetail() {
    var order = state.detail;
    if (!order) {
      return;
    }
    var number = str(order.number || state.detailNumber);
    var active = document.activeElement;
    var inForm = !!(formEls && active && formEls.form.contains(active));
    var key = inForm ? null : focusKey(els.detail);
    var form = detachForm();
    clear(els.detail);
    els.detail.appendChild(detailHead(number, order));

    var unitMode = state.mode === 'unit';
    if (order.overdue) {
      els.detail.appendChild(el('p', 'notice notice-danger', '这个工单已超过办理时限（' + formatDay(order.deadline) + '），请尽快办理。'));
    }
    if (order.termination_requested) {
      els.detail.appendChild(el('p', 'notice notice-warn', unitMode ? '已申请终止，正在等待热线审核。' : '承办单位已申请终止，等待审核（见「终止待审」）。'));
    }
    if (order.awaiting_citizen) {
      els.detail.appendChild(el('p', 'notice notice-info', '已请市民补充，正在等待市民答复；答复会记入下面的办理经过。'));
    }
    if (unitMode && order.co_unit) {
      els.detail.appendChild(el('p', 'notice notice-info', '本单位是这个工单的协办单位，主办单位是' + str(order.unit) +
        '。请反馈本单位的办理情况，由主办单位统一办结。'));
    }
    if (unitMode) {
      unitActions(order, number);
    } else if (state.callbacksOnly) {
      var own = el('div', 'detail-actions');
      own.setAttribute('role', 'group');
      own.setAttribute('aria-label', '坐席操作');
      els.detail.appendChild(actionButtons(own, number, [['set-topic', '更正主题', '']], false));
      els.detail.appendChild(el('div', 'action-slot'));
      els.detail.appendChild(el('p', 'notice notice-info', '坐席只能更正主题；工单不显示市民姓名、电话和地址' +
        (order.content === null ? '，举报和要求保密的工单也不显示内容' : '') + '。'));
    } else if (SUPERVISOR_DETAIL_BUTTONS[order.status]) {
      var bar = el('div', 'detail-actions');
      bar.setAttribute('role', 'group');
      bar.setAttribute('aria-label', '督办操作');
      var buttons = SUPERVISOR_DETAIL_BUTTONS[order.status].filter(function (b) {
        return !(b[0] === 'ask-citizen' && order.awaiting_citizen);
      });
      els.detail.appendChild(actionButtons(bar, number, buttons, false));
      els.detail.appendChild(el('div', 'action-slot'));
    }
    els.detail.appendChild(detailFields(order, unitMode));

    var hTitle = el('h3', 'detail-sub', '办理经过');
    hTitle.id = 'detail-history-title';
    els.detail.appendChild(hTitle);
    var history = renderHistory(Array.isArray(order.history) ? order.history : []);
    history.setAttribute('aria-labelledby', 'detail-history-title');
    els.detail.appendChild(history);
    if (!history.firstChild) {
      els.detail.appendChild(el('p', 'empty', '暂无记录。'));
    }

    if (form) {
      reattachForm(form);
    }
    if (inForm && formEls && formEls.form.contains(active)) {
      active.focus();
    } else {
      restoreFocus(els.detail, key);
    }
  }

  // ------------------------------------------------------------------ the action form

  var formEls = null; // {form, title, hint, text, days, complex, unit, error, submit, cancel, submitText}

  function formKey() {
    return state.form ? state.form.action + ':' + state.form.number + (state.busy ? ':busy' : '') : '';
  }

  function detachForm() {
    if (formEls && formEls.form.parentNode) {
      formEls.form.parentNode.removeChild(formEls.form);
      return formEls.form;
    }
    return null;
  }

  // Puts the form back where it belongs after its container was rebuilt.
  function reattachForm(form) {
    if (!state.form) {
      return;
    }
    var slot = formSlot(state.form);
    if (slot) {
      slot.appendChild(form);
    } else {
      closeForm(false);
    }
  }

  function formSlot(f) {
    if (state.mode === 'unit' || f.panel === 'detail') {
      if (state.detailNumber !== f.number) {
        return null;
      }
      return els.detail.querySelector('.action-slot');
    }
    var panel = f.panel ? tabPanel(f.panel) : null;
    return panel ? panel.querySelector('.action-slot') : null;
  }

  // A control of the action form (with its properties) under its label, described by the ids
  // in describedBy; hint: a line under it.
  function addControl(form, control, labelText, props, describedBy, hint) {
    setProps(control, props || {});
    control.setAttribute('aria-describedby', describedBy);
    var box = el('div', 'field');
    var label = el('label', null, labelText);
    label.htmlFor = control.id;
    box.appendChild(label);
    box.appendChild(control);
    if (hint) {
      box.appendChild(hint);
    }
    form.appendChild(box);
    return control;
  }

  // Opens the small form for a step on an order (unit: in the detail; supervisor: under the
  // table of the tab it was asked from).
  function openForm(action, number, opener) {
    var spec = ACTIONS[action];
    if (!spec || state.busy) {
      return;
    }
    if (isFormOpen(action, number) && formEls && formEls.form.parentNode) {
      focusFormStart();
      return;
    }
    var panel = null;
    var row = null;
    if (state.mode === 'supervisor' && opener && els.detail.contains(opener)) {
      panel = 'detail';
      row = state.detail;
    } else if (state.mode === 'supervisor') {
      var p = H.closest(opener, '.tab-panel', null);
      panel = p ? p.id.replace(/^tab-/, '') : state.tab;
      row = findRow(panel, number);
    }
    closeForm(false);
    state.form = { action: action, number: number, panel: panel, row: row, openerKey: opener ? opener.getAttribute('data-key') : null };
    buildForm(spec, number, row);
    var slot = formSlot(state.form);
    if (!slot) {
      state.form = null;
      return;
    }
    slot.appendChild(formEls.form);
    syncOpeners();
    if (state.mode === 'supervisor') {
      markFormRow();
    }
    focusFormStart();
  }

  // The item of a review tab's list for an order (its form quotes from it).
  function findRow(panel, number) {
    var list = REVIEW_BUTTONS[panel] ? overviewList(panel) : [];
    for (var i = 0; i < list.length; i++) {
      if (str(list[i].number) === number) {
        return list[i];
      }
    }
    return null;
  }

  function buildForm(spec, number, row) {
    var form = el('form', 'action-form' + (spec.danger ? ' is-danger' : ''));
    form.id = 'action-form';
    form.noValidate = true;
    form.setAttribute('aria-labelledby', 'action-title');
    var title = el('h3', 'action-title');
    title.id = 'action-title';
    title.appendChild(document.createTextNode(spec.title + ' '));
    title.appendChild(el('span', 'order-no', number));
    form.appendChild(title);

    var hintText = spec.hint;
    if (spec.deadlineHint && state.detail && state.detail.deadline) {
      hintText = fill(spec.deadlineHint, { deadline: formatDay(state.detail.deadline) });
    }
    var hint = el('p', 'action-hint', hintText);
    hint.id = 'action-hint';
    form.appendChild(hint);

    var refs = { form: form, title: title, hint: hint, text: null, days: null, complex: null, unit: null, choice: null,
      units: null };

    // What the unit wrote (its reason to return, how it tried to reach the citizen).
    if (row && spec.quote && row[spec.quote[0]]) {
      var quote = el('p', 'action-quote');
      quote.appendChild(el('span', 'quote-label', spec.quote[1]));
      quote.appendChild(document.createTextNode(str(row[spec.quote[0]])));
      form.appendChild(quote);
    }

    if (spec.units) {
      var many = unitSelect('action-units', '', { exclude: row ? str(row.unit) : null, placeholder: '（不设协办单位）' });
      many.multiple = true;
      many.size = 8;
      var chosen = row && Array.isArray(row.co_units) ? row.co_units.map(function (c) { return str(c.unit); }) : [];
      for (var o = 0; o < many.options.length; o++) {
        many.options[o].selected = !!many.options[o].value && chosen.indexOf(many.options[o].value) >= 0;
      }
      refs.units = addControl(form, many, spec.units.label, null, 'action-hint action-error');
    }
    if (spec.choice) {
      var pick = el('select', 'choice-select');
      var choices = typeof spec.choice.options === 'function' ? spec.choice.options() : spec.choice.options;
      pick.appendChild(new Option('请选择', ''));
      for (var c = 0; c < choices.length; c++) {
        pick.appendChild(new Option(choices[c][1], choices[c][0]));
      }
      if (spec.choice.current) {
        pick.value = spec.choice.current(row) || '';
      }
      refs.choice = addControl(form, pick, spec.choice.label, { id: 'action-choice' }, 'action-error');
    }
    if (spec.unit) {
      var current = row ? str(row.unit) : '';
      var select = unitSelect('action-unit', spec.unit.preselectCurrent ? unitOf(current) : '', {
        exclude: spec.unit.excludeCurrent ? current : null,
        placeholder: spec.unit.placeholder
      });
      refs.unit = addControl(form, select, spec.unit.label, null, 'action-error');
    }
    if (spec.text) {
      refs.text = addControl(form, el('textarea'), spec.text.label, {
        id: 'action-text',
        rows: spec.text.rows || 3,
        maxLength: MAX_REASON,
        placeholder: spec.text.placeholder
      }, 'action-hint action-error');
    }
    if (spec.days) {
      var dayRule = daysRule(spec);
      var daysHint = el('p', 'form-hint', dayRule.hint);
      daysHint.id = 'action-days-hint';
      refs.days = addControl(form, el('input', 'days-input'), dayRule.label, {
        id: 'action-days',
        type: 'number',
        min: '1',
        max: String(dayRule.max),
        step: '1',
        inputMode: 'numeric'
      }, 'action-days-hint action-error', daysHint);
    }
    if (spec.complex) {
      var check = el('label', 'check');
      var box = el('input');
      box.type = 'checkbox';
      box.id = 'action-complex';
      check.appendChild(box);
      check.appendChild(document.createTextNode(' 情况复杂'));
      var checks = el('div', 'checks action-checks');
      checks.appendChild(check);
      checks.appendChild(el('span', 'form-hint', '（情况复杂的，可在收到派单后2个工作日内退回）'));
      form.appendChild(checks);
      refs.complex = box;
    }

    var error = el('p', 'action-error');
    error.id = 'action-error';
    error.hidden = true;
    form.appendChild(error);
    refs.error = error;

    var row2 = el('div', 'btn-row action-buttons');
    var submit = el('button', 'btn ' + (spec.danger ? 'btn-danger' : 'btn-primary'), spec.submit);
    submit.type = 'submit';
    submit.id = 'action-submit';
    var cancel = button('取消', 'btn');
    cancel.id = 'action-cancel';
    row2.appendChild(submit);
    row2.appendChild(cancel);
    form.appendChild(row2);
    refs.submit = submit;
    refs.cancel = cancel;
    refs.submitText = spec.submit;

    form.addEventListener('submit', submitForm);
    cancel.addEventListener('click', function () {
      closeForm(true);
    });
    form.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !state.busy) {
        event.preventDefault();
        closeForm(true);
      }
    });
    form.addEventListener('input', clearFormError);
    formEls = refs;
  }

  function focusFormStart() {
    if (!formEls) {
      return;
    }
    var first = formEls.unit || formEls.text || formEls.days || formEls.submit;
    first.focus();
  }

  function showFormError(text, control) {
    if (!formEls) {
      return;
    }
    formEls.error.textContent = text;
    formEls.error.hidden = false;
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.focus();
    }
  }

  function clearFormError() {
    if (!formEls) {
      return;
    }
    formEls.error.textContent = '';
    formEls.error.hidden = true;
    var controls = [formEls.text, formEls.days, formEls.unit];
    for (var i = 0; i < controls.length; i++) {
      if (controls[i]) {
        controls[i].removeAttribute('aria-invalid');
      }
    }
  }

  // The buttons that open forms say whether their form is open.
  function syncOpeners() {
    var nodes = document.querySelectorAll('button[aria-controls="action-form"]');
    for (var i = 0; i < nodes.length; i++) {
      var open = isFormOpen(nodes[i].getAttribute('data-action'), nodes[i].getAttribute('data-number'));
      nodes[i].setAttribute('aria-expanded', open ? 'true' : 'false');
    }
  }

  function markFormRow() {
    var rows = document.querySelectorAll('tr.is-reviewing');
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.remove('is-reviewing');
    }
    if (state.form && state.form.panel && state.form.panel !== 'detail') {
      var row = withNumber(tabPanel(state.form.panel), 'tr[data-number]', state.form.number);
      if (row) {
        row.classList.add('is-reviewing');
      }
    }
  }

  function closeForm(returnFocus) {
    var f = state.form;
    detachForm();
    state.form = null;
    formEls = null;
    syncOpeners();
    markFormRow();
    var opener = returnFocus && f ? withKey(document, f.openerKey) : null;
    if (opener) {
      opener.focus();
    }
  }

  // After a refresh: the order of an open review form may have been handled by someone else.
  function checkFormStillListed() {
    if (!state.form || !state.form.panel || !formEls) {
      return;
    }
    var row = findRow(state.form.panel, state.form.number);
    var gone = formEls.form.querySelector('.action-gone');
    if (!row && !gone) {
      formEls.form.insertBefore(el('p', 'notice notice-warn action-gone', TEXT.goneFromList), formEls.error);
    } else if (row && gone) {
      gone.parentNode.removeChild(gone);
    }
    syncOpeners();
    markFormRow();
  }

  function setFormBusy(busy) {
    state.busy = busy;
    if (!formEls) {
      return;
    }
    formEls.submit.disabled = busy;
    formEls.cancel.disabled = busy;
    formEls.submit.textContent = busy ? TEXT.submitting : formEls.submitText;
    formEls.form.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  function reasonError(value, what) {
    var v = str(value).trim();
    if (v.length < MIN_REASON) {
      return what + '需要写明理由（至少' + MIN_REASON + '个字）。';
    }
    if (str(value).length > MAX_REASON) {
      return what + '的说明不能超过' + MAX_REASON + '字。';
    }
    return null;
  }

  // The request body for the open form (spec.send filled in), or {error, control} when
  // something is missing.
  function formBody(spec) {
    var text = formEls.text ? formEls.text.value : '';
    if (spec.unit && !formEls.unit.value) {
      return { error: spec.unit.required, control: formEls.unit };
    }
    if (spec.choice && !formEls.choice.value) {
      return { error: spec.choice.required, control: formEls.choice };
    }
    if (spec.text && !(spec.text.optional && !text.trim())) {
      var problem = reasonError(text, spec.text.what);
      if (problem) {
        return { error: problem, control: formEls.text };
      }
    }
    var days = formEls.days ? formEls.days.value.trim() : '';
    if (spec.days && (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > daysRule(spec).max)) {
      return { error: daysRule(spec).invalid, control: formEls.days };
    }
    var values = {
      text: text.trim(),
      unit: formEls.unit ? formEls.unit.value : '',
      days: parseInt(days, 10),
      complex: !!(formEls.complex && formEls.complex.checked),
      choice: formEls.choice ? formEls.choice.value : '',
      units: formEls.units ? selectedValues(formEls.units) : []
    };
    var body = {};
    for (var key in spec.send) {
      if (Object.prototype.hasOwnProperty.call(spec.send, key)) {
        body[key] = isString(spec.send[key]) ? values[spec.send[key]] : spec.send[key];
      }
    }
    for (var fixedKey in spec.fixed || {}) {
      if (Object.prototype.hasOwnProperty.call(spec.fixed, fixedKey)) {
        body[fixedKey] = spec.fixed[fixedKey];
      }
    }
    return { url: spec.callback ? API + '/callbacks/' + encodeURIComponent(state.form.number) : null,
      path: spec.path, body: body };
  }

  // A form's working-days field: an extension's (1-60) unless the action says otherwise.
  function daysRule(spec) {
    var rule = typeof spec.days === 'object' ? spec.days : {};
    return {
      label: rule.label || '延长多少个工作日',
      hint: rule.hint || '1到60个工作日，从当前办理时限起算。',
      max: rule.max || 60,
      invalid: rule.invalid || TEXT.daysInvalid
    };
  }

  function selectedValues(select) {
    var out = [];
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].selected && select.options[i].value) {
        out.push(select.options[i].value);
      }
    }
    return out;
  }

  function submitForm(event) {
    event.preventDefault();
    if (!state.form || !formEls || state.busy) {
      return;
    }
    clearFormError();
    var f = state.form;
    var spec = ACTIONS[f.action];
    var req = formBody(spec);
    if (req.error) {
      showFormError(req.error, req.control);
      showStatus(req.error, 'error');
      return;
    }
    setFormBusy(true);
    var panel = f.panel ? tabPanel(f.panel) : null;
    H.api('POST', req.url || orderUrl(f.number, req.path), req.body).then(function (r) {
      setFormBusy(false);
      if (!r.ok) {
        var message = errorText(r);
        if (state.form === f) {
          showFormError(message, null);
          formEls.submit.focus();
        }
        showStatus(message, 'error');
        return;
      }
      var data = r.data || {};
      showStatus(fill(spec.done, {
        number: f.number,
        deadline: formatDay(data.deadline),
        attempts: str(data.attempts),
        rating: str(data.rating),
        unit: str(data.unit) || str(req.body.new_unit || req.body.unit) || '原单位'
      }), 'ok');
      if (state.form === f) {
        closeForm(false);
      }
      afterChange(f.number, panel);
    });
  }

  // After a successful step: reload the list and the open detail; focus goes somewhere sensible.
  function afterChange(number, panel) {
    var list = loadList(false);
    var detail = state.detailNumber === number ? loadDetail(false) : Promise.resolve();
    Promise.all([list, detail]).then(function () {
      if (state.mode === 'unit' && state.detailNumber === number) {
        focusDetailTitle();
      } else if (panel && !panel.hidden) {
        panel.focus();
      }
    });
  }

  // ------------------------------------------------------------------ refreshing

  function stopTimer() {
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
  }

  function interval() {
    return state.mode === 'unit' ? UNIT_REFRESH_MS : SUPERVISOR_REFRESH_MS;
  }

  function schedule() {
    stopTimer();
    if (!state.mode || H.isLeaving()) {
      return;
    }
    state.timer = window.setTimeout(function () {
      state.timer = null;
      autoRefresh();
    }, interval());
  }

  // The lists only: the open detail, the open form and everything typed stay as they are.
  function autoRefresh() {
    if (!state.mode || H.isLeaving()) {
      return;
    }
    if (document.hidden) {
      schedule();
      return;
    }
    var jobs = [loadList(false)];
    if (state.mode === 'supervisor' && state.tab === 'audit' && state.auditEntries !== null) {
      jobs.push(loadAudit(false));
    }
    Promise.all(jobs).then(schedule, schedule);
  }

  function manualRefresh() {
    stopTimer();
    var jobs = [loadList(true)];
    if (state.detailNumber) {
      jobs.push(loadDetail(false));
    }
    if (state.mode === 'supervisor' && state.tab === 'audit') {
      jobs.push(loadAudit(false));
    }
    Promise.all(jobs).then(schedule, schedule);
  }

  // ------------------------------------------------------------------ start

  function onListClick(event) {
    var target = H.closest(event.target, '[data-open]', els.layout);
    if (target && target.tagName === 'BUTTON') {
      openDetail(target.getAttribute('data-open'), target.getAttribute('data-key'));
      return;
    }
    var actionBtn = H.closest(event.target, '[data-action]', els.layout);
    if (!actionBtn || actionBtn.tagName !== 'BUTTON' || actionBtn.disabled) {
      return;
    }
    var action = actionBtn.getAttribute('data-action');
    var number = actionBtn.getAttribute('data-number') || '';
    if (action === 'dispatch') {
      dispatchOrder(number);
    } else if (ACTIONS[action]) {
      openForm(action, number, actionBtn);
    }
  }

  // Remembers the dispatch choices typed in a row, so a refresh keeps them.
  function onPendingInput(event) {
    var t = event.target;
    var number = t.getAttribute && t.getAttribute('data-number');
    if (!number) {
      return;
    }
    var draft = state.drafts[number] || {};
    if (t.classList.contains('unit-select')) {
      draft.unit = t.value;
    } else if (t.classList.contains('note-input')) {
      draft.note = t.value;
    } else if (t.classList.contains('days-input')) {
      draft.days = t.value;
    } else {
      return;
    }
    // The table is redrawn only when the list changes; it then puts the drafts back.
    state.drafts[number] = draft;
  }

  function bindEvents() {
    H.bindLogout(stopTimer);
    els.layout.addEventListener('click', onListClick);

    els.filter.addEventListener('change', function () {
      state.filter = els.filter.value;
      state.sigs.unit = null;
      loadList(false);
    });
    els.unitRefresh.addEventListener('click', manualRefresh);
    els.supRefresh.addEventListener('click', manualRefresh);

    for (var i = 0; i < TABS.length; i++) {
      var btn = tabButton(TABS[i]);
      btn.addEventListener('click', function (event) {
        state.tabChosen = true;
        selectTab(event.currentTarget.getAttribute('data-tab'), false);
      });
      btn.addEventListener('keydown', onTabKey);
    }
    var pendingPanel = tabPanel('pending');
    pendingPanel.addEventListener('input', onPendingInput);
    pendingPanel.addEventListener('change', onPendingInput);
    pendingPanel.addEventListener('keydown', function (event) {
      // Enter in a row's note sends that row's dispatch.
      var t = event.target;
      if (event.key === 'Enter' && !event.isComposing && t.classList && t.classList.contains('note-input')) {
        event.preventDefault();
        dispatchOrder(t.getAttribute('data-number'));
      }
    });

    els.auditForm.addEventListener('submit', function (event) {
      event.preventDefault();
      loadAudit(true);
    });
    els.auditClear.addEventListener('click', function () {
      els.auditNumber.value = '';
      els.auditActor.value = '';
      els.auditCitizen.value = '';
      loadAudit(false);
      els.auditNumber.focus();
    });

    document.addEventListener('keydown', function (event) {
      // Escape closes the detail when focus is in it (and no form is open there).
      if (event.key === 'Escape' && state.detailNumber && !state.busy && els.detail.contains(event.target) &&
          !(formEls && formEls.form.contains(event.target))) {
        closeDetail();
      }
    });

    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && state.mode && Date.now() - state.lastLoad > interval()) {
        stopTimer();
        autoRefresh();
      }
    });
    // (Leaving the page and coming back from the page cache: see common.js.)
  }

  function startUnit() {
    state.mode = 'unit';
    showView('unit', '工单办理');
    els.unitTitle.textContent = (state.me.unit ? str(state.me.unit) + ' · ' : '') + '本单位工单';
    state.filter = els.filter.value;
    loadList(false).then(schedule);
  }

  function startSupervisor() {
    state.mode = 'supervisor';
    showView('supervisor', '工单督办');
    els.toConsole.hidden = false;
    selectTab('pending', false);
    updateTabCounts();
    loadList(false).then(schedule);
  }

  // An agent's page: the 电话回访 tab of the supervisor's view, alone.
  function startCallbacks() {
    state.mode = 'supervisor';
    state.callbacksOnly = true;
    showView('supervisor', '电话回访');
    els.toConsole.hidden = false;
    byId('sup-title').textContent = '电话回访';
    for (var i = 0; i < TABS.length; i++) {
      tabButton(TABS[i]).hidden = TABS[i] !== 'callbacks';
      tabPanel(TABS[i]).hidden = TABS[i] !== 'callbacks';
    }
    TABS = ['callbacks'];
    var lookup = byId('topic-lookup');
    lookup.hidden = false;
    lookup.addEventListener('submit', function (e) {
      e.preventDefault();
      var number = byId('topic-number').value.trim().toUpperCase();
      if (number) {
        openDetail(number, null);
      }
    });
    selectTab('callbacks', false);
    updateTabCounts();
    loadList(false).then(schedule);
  }

  function start() {
    H.setMessages(TEXT);
    bindEvents();
    H.loadMe().then(function (r) {
      if (!r.ok) {
        els.pageLoading.textContent = r.message;
        return;
      }
      state.me = r.me || {};
      if (state.me.role === 'unit') {
        startUnit();
      } else if (state.me.role === 'supervisor') {
        startSupervisor();
      } else if (state.me.role === 'agent') {
        startCallbacks();
      } else {
        var role = H.ROLE_NAMES[state.me.role];
        showDenied(role ? fill(TEXT.deniedRole, { role: role }) : TEXT.denied);
      }
    });
  }

  start();
})();
