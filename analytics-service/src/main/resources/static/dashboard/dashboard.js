// The repurchase dashboard: signs in with a merchant token, draws the merchant's figures with ECharts, and redraws them
// whenever the headline stream (Server-Sent Events, read with fetch so the token can go in a header) says they moved.
(function () {
  'use strict';

  const TEXT = {
    en: {
      title: 'Repurchase dashboard', connecting: 'connecting…', live: 'live', offline: 'reconnecting…',
      signIn: 'Sign in with a merchant token (scope analytics:read)', signInButton: 'Sign in', badToken: 'That token was refused.',
      rate30: 'Repurchase rate, 30 days', rate90: 'Repurchase rate, 90 days', rate365: 'Repurchase rate, 365 days',
      liability: 'Points liability', buyers: 'buyers', repeat: 'repeat buyers', pending: 'pending',
      trend: 'Repurchase rate by month', frequency: 'Buyers by orders in 90 days', cohorts: 'Cohort retention (share of first-month buyers buying again)',
      funnel: 'Lifecycle stages', segments: 'RFM segments', campaigns: 'Campaign uplift against the holdout (95% interval)',
      points: 'Points', monthsSince: 'months since first order', rate: 'repurchase rate', difference: 'difference',
      NEW: 'new', ACTIVE: 'active', AT_RISK: 'at risk', LAPSED: 'lapsed',
      earned: 'earned', redeemed: 'redeemed', expired: 'expired', reversed: 'reversed', adjusted: 'adjusted', balance: 'balance',
      noData: 'no data yet'
    },
    zh: {
      title: '复购看板', connecting: '连接中…', live: '实时', offline: '重新连接中…',
      signIn: '用商户令牌登录（权限 analytics:read）', signInButton: '登录', badToken: '令牌无效。',
      rate30: '30天复购率', rate90: '90天复购率', rate365: '365天复购率',
      liability: '积分负债', buyers: '购买人数', repeat: '复购人数', pending: '待生效',
      trend: '月度复购率', frequency: '90天购买频次分布', cohorts: '同期群留存（首购月买家再次购买的比例）',
      funnel: '生命周期阶段', segments: 'RFM 分群', campaigns: '活动相对对照组的提升（95% 置信区间）',
      points: '积分', monthsSince: '首购后月数', rate: '复购率', difference: '差值',
      NEW: '新客', ACTIVE: '活跃', AT_RISK: '流失风险', LAPSED: '已流失',
      earned: '发放', redeemed: '兑换', expired: '过期', reversed: '冲回', adjusted: '调整', balance: '余额',
      noData: '暂无数据'
    }
  };

  let language = sessionStorage.getItem('fugou.language') || (navigator.language.startsWith('zh') ? 'zh' : 'en');
  let token = null;
  /** Each sign-in starts one stream loop; a newer sign-in or a refused token ends the older one. */
  let generation = 0;
  const charts = {};
  let refreshing = null;

  function t(key) {
    return (TEXT[language] && TEXT[language][key]) || TEXT.en[key] || key;
  }

  function translate() {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
    document.querySelectorAll('[data-i18n]').forEach(element => { element.textContent = t(element.dataset.i18n); });
    document.getElementById('language').textContent = language === 'zh' ? 'English' : '中文';
  }

  function percent(rate) {
    return rate === null || rate === undefined ? '–' : (rate * 100).toFixed(1) + '%';
  }

  async function get(path) {
    const response = await fetch(path, { headers: { Authorization: 'Bearer ' + token } });
    if (response.status === 401 || response.status === 403) {
      throw new Error('refused');
    }
    if (!response.ok) {
      throw new Error(path + ': ' + response.status);
    }
    return response.json();
  }

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id));
    }
    return charts[id];
  }

  function drawHeadline(headline) {
    for (const period of ['30d', '90d', '365d']) {
      const figure = headline.repurchase[period];
      const card = document.getElementById('kpi-' + period);
      card.querySelector('.value').textContent = percent(figure.repurchaseRate);
      card.querySelector('.detail').textContent = figure.repeatBuyers + ' / ' + figure.buyers + ' ' + t('buyers');
      card.dataset.buyers = figure.buyers;
    }
  }

  function drawMonths(months) {
    chart('chart-trend').setOption({
      title: { text: t('trend'), left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis', valueFormatter: value => value === null ? '–' : value.toFixed(1) + '%' },
      grid: { left: 48, right: 24, top: 48, bottom: 32 },
      xAxis: { type: 'category', data: months.map(month => month.period) },
      yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
      series: [{ name: t('rate'), type: 'line', smooth: true, connectNulls: true, symbolSize: 8,
        data: months.map(month => month.repurchaseRate === null ? null : month.repurchaseRate * 100) }]
    }, true);
  }

  function drawFrequency(figure) {
    const labels = Object.keys(figure.frequency);
    chart('chart-frequency').setOption({
      title: { text: t('frequency'), left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 24, top: 48, bottom: 32 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: t('buyers'), type: 'bar', data: labels.map(label => figure.frequency[label]), itemStyle: { color: '#165dff' } }]
    }, true);
  }

  function drawCohorts(rows) {
    const width = rows.reduce((most, row) => Math.max(most, row.retained.length), 0);
    const cells = [];
    rows.forEach((row, y) => row.rates.forEach((rate, x) => {
      if (rate !== null) {
        cells.push([x, y, Math.round(rate * 1000) / 10]);
      }
    }));
    chart('chart-cohorts').setOption({
      title: { text: t('cohorts'), left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { formatter: params => rows[params.value[1]].cohort + ' +' + params.value[0] + ': ' + params.value[2] + '%' },
      grid: { left: 72, right: 24, top: 48, bottom: 64 },
      xAxis: { type: 'category', name: t('monthsSince'), nameLocation: 'middle', nameGap: 28,
        data: Array.from({ length: width }, (unused, index) => String(index)) },
      yAxis: { type: 'category', inverse: true, data: rows.map(row => row.cohort + ' (' + row.size + ')') },
      visualMap: { min: 0, max: 100, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
        inRange: { color: ['#e8f3ff', '#165dff'] }, text: ['100%', '0%'] },
      series: [{ type: 'heatmap', data: cells, label: { show: true, formatter: params => params.value[2] + '%' } }]
    }, true);
  }

  /** A chart with nothing to draw says so, instead of standing empty. */
  function noDataWhen(empty) {
    return empty ? [{ type: 'text', left: 'center', top: 'middle', style: { text: t('noData'), fill: '#86909c', fontSize: 14 } }] : [];
  }

  // Members by lifecycle stage as bars, not a funnel: the stages are states a member moves between, not steps each a
  // part of the one before, and a funnel's widths are scaled between set bounds, drawing an empty stage as a sliver.
  function drawFunnel(stages) {
    const order = ['NEW', 'ACTIVE', 'AT_RISK', 'LAPSED'];
    const colors = { NEW: '#14c9c9', ACTIVE: '#165dff', AT_RISK: '#ff7d00', LAPSED: '#86909c' };
    const total = order.reduce((sum, stage) => sum + (stages[stage] || 0), 0);
    chart('chart-funnel').setOption({
      title: { text: t('funnel'), left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'item' },
      graphic: noDataWhen(total === 0),
      grid: { left: 96, right: 96, top: 48, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: order.map(t) },
      series: [{ type: 'bar', barMaxWidth: 28,
        label: { show: true, position: 'right',
          formatter: params => params.value + (total > 0 ? ' (' + (100 * params.value / total).toFixed(1) + '%)' : '') },
        data: order.map(stage => ({ value: stages[stage] || 0, itemStyle: { color: colors[stage] } })) }]
    }, true);
  }

  function drawSegments(segments) {
    const names = Object.keys(segments).filter(name => segments[name] > 0);
    chart('chart-segments').setOption({
      title: { text: t('segments'), left: 12, top: 8, textStyle: { fontSize: 14 } },
      graphic: noDataWhen(names.length === 0),
      tooltip: { trigger: 'item' },
      series: [{ type: 'pie', radius: ['35%', '65%'], top: 32, data: names.map(name => ({ name: name, value: segments[name] })) }]
    }, true);
  }

  function drawCampaigns(results) {
    const arms = [];
    results.forEach(result => result.arms.filter(arm => arm.uplift).forEach(arm => arms.push({ name: result.campaignId + ' / ' + arm.variant, uplift: arm.uplift })));
    chart('chart-campaigns').setOption({
      title: { text: t('campaigns'), left: 12, top: 8, textStyle: { fontSize: 14 } },
      graphic: noDataWhen(arms.length === 0),
      tooltip: { trigger: 'item' },
      grid: { left: 48, right: 24, top: 48, bottom: 48 },
      xAxis: { type: 'category', data: arms.map(arm => arm.name) },
      yAxis: { type: 'value', axisLabel: { formatter: '{value} pt' } },
      series: [
        { name: t('difference'), type: 'scatter', symbolSize: 12, data: arms.map(arm => arm.uplift.difference * 100),
          itemStyle: { color: '#165dff' } },
        { name: '95%', type: 'custom', data: arms.map((arm, index) => [index, arm.uplift.low * 100, arm.uplift.high * 100]),
          renderItem: (params, api) => {
            const low = api.coord([api.value(0), api.value(1)]);
            const high = api.coord([api.value(0), api.value(2)]);
            const half = api.size([1, 0])[0] * 0.15;
            const style = { stroke: '#165dff', lineWidth: 2 };
            return { type: 'group', children: [
              { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style: style },
              { type: 'line', shape: { x1: low[0] - half, y1: low[1], x2: low[0] + half, y2: low[1] }, style: style },
              { type: 'line', shape: { x1: high[0] - half, y1: high[1], x2: high[0] + half, y2: high[1] }, style: style }] };
          } }]
    }, true);
  }

  function drawPoints(points) {
    const kinds = ['earned', 'redeemed', 'expired', 'reversed', 'balance', 'pending'];
    const card = document.getElementById('kpi-points');
    card.querySelector('.value').textContent = points.balance.toLocaleString();
    card.querySelector('.detail').textContent = '+ ' + points.pending.toLocaleString() + ' ' + t('pending');
    chart('chart-points').setOption({
      title: { text: t('points'), left: 12, top: 8, textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 64, right: 24, top: 48, bottom: 32 },
      xAxis: { type: 'category', data: kinds.map(t) },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: kinds.map(kind => points[kind]), itemStyle: { color: '#14c9c9' } }]
    }, true);
  }

  async function refresh() {
    const [headline, months, window90, cohorts, members, campaignIds] = await Promise.all([
      get('/api/v1/analytics/headline'), get('/api/v1/analytics/repurchase/months'), get('/api/v1/analytics/repurchase?window=90d'),
      get('/api/v1/analytics/cohorts'), get('/api/v1/analytics/members'), get('/api/v1/analytics/campaigns')]);
    const campaigns = await Promise.all(campaignIds.slice(0, 8).map(id => get('/api/v1/analytics/campaigns/' + encodeURIComponent(id))));
    const segments = await get('/api/v1/analytics/rfm').then(rfm => rfm.segments).catch(() => members.byTier);
    drawHeadline(headline);
    drawMonths(months);
    drawFrequency(window90);
    drawCohorts(cohorts);
    drawFunnel(members.stages);
    drawSegments(segments);
    drawCampaigns(campaigns);
    drawPoints(members.points);
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
  }

  /** Redraws at most once at a time; a move during a redraw gets one more. */
  function scheduleRefresh() {
    if (refreshing) {
      refreshing.again = true;
      return;
    }
    refreshing = { again: false };
    refresh().catch(showError).finally(() => {
      const again = refreshing.again;
      refreshing = null;
      if (again) {
        scheduleRefresh();
      }
    });
  }

  /** Reads the headline stream; each event redraws the board. Reconnects after a drop, not after a refusal. */
  async function listen(mine) {
    const live = document.getElementById('live');
    try {
      const response = await fetch('/api/v1/analytics/headline/stream',
        { headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' } });
      if (response.status === 401 || response.status === 403) {
        showError(new Error('refused'));
        return;
      }
      if (!response.ok) {
        throw new Error('stream: ' + response.status);
      }
      live.textContent = t('live');
      live.dataset.i18n = 'live';
      live.classList.add('on');
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done || mine !== generation) {
          break;
        }
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').filter(line => line.startsWith('data:')).map(line => line.slice(5)).join('\n');
          if (data) {
            drawHeadline(JSON.parse(data));
            scheduleRefresh();
          }
        }
      }
    } catch (failure) {
      console.warn(failure);
    }
    if (mine !== generation) {
      return;
    }
    live.textContent = t('offline');
    live.dataset.i18n = 'offline';
    live.classList.remove('on');
    setTimeout(() => listen(mine), 3000);
  }

  function showError(failure) {
    console.error(failure);
    if (failure.message === 'refused') {
      generation++;
      token = null;
      sessionStorage.removeItem('fugou.token');
      document.getElementById('board').hidden = true;
      document.getElementById('sign-in').hidden = false;
      document.getElementById('error').textContent = t('badToken');
    }
  }

  function merchantOf(jwt) {
    try {
      const payload = JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return payload.merchant_id || '';
    } catch (e) {
      return '';
    }
  }

  function start(signedIn) {
    token = signedIn;
    sessionStorage.setItem('fugou.token', token);
    document.getElementById('merchant').textContent = merchantOf(token);
    document.getElementById('sign-in').hidden = true;
    document.getElementById('board').hidden = false;
    scheduleRefresh();
    generation++;
    listen(generation);
  }

  document.getElementById('language').addEventListener('click', () => {
    language = language === 'zh' ? 'en' : 'zh';
    sessionStorage.setItem('fugou.language', language);
    translate();
    if (token) {
      scheduleRefresh();
    }
  });
  document.getElementById('sign-in-button').addEventListener('click', () => start(document.getElementById('token').value.trim()));
  window.addEventListener('resize', () => Object.values(charts).forEach(instance => instance.resize()));

  translate();
  // A token in the fragment (never sent to the server in the URL), else the one of this tab's session.
  const fragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fragment) {
    history.replaceState(null, '', location.pathname);
  }
  const saved = fragment || sessionStorage.getItem('fugou.token');
  if (saved) {
    start(saved);
  } else {
    document.getElementById('sign-in').hidden = false;
  }
})();
