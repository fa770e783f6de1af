// The `BarChart` hook of examples/chart.rs: draws bars inside its `live-ignore` element (DOM
// the server never patches) and sends clicks back as the view's `Picked(index)` message.
// A classic script, so it runs before the live client's module script and registers the hook
// in the one place the client looks: `window.hotreload.hooks`.
//
// `window.__chartCalls` records the lifecycle (for client-js/test/chart.test.mjs).
window.__chartCalls = [];
window.hotreload = window.hotreload || {};
window.hotreload.hooks = Object.assign(window.hotreload.hooks || {}, {
  BarChart: {
    mounted() {
      window.__chartCalls.push('mounted');
      this.mounts = (this.mounts || 0) + 1;
      this.draw((this.el.dataset.points || '').split(',').filter(Boolean).map(Number));
      this.handleEvent('points', (points) => {
        window.__chartCalls.push(`points:${points.join(',')}`);
        this.draw(points);
      });
      this.el.addEventListener('click', (e) => {
        const bar = e.target.closest('[data-bar]');
        if (bar) this.pushEvent({ Picked: Number(bar.dataset.bar) });
      });
    },
    updated() {
      window.__chartCalls.push('updated');
    },
    destroyed() {
      window.__chartCalls.push('destroyed');
    },
    disconnected() {
      window.__chartCalls.push('disconnected');
    },
    reconnected() {
      window.__chartCalls.push('reconnected');
    },
    draw(points) {
      const max = Math.max(1, ...points);
      this.el.replaceChildren(...points.map((value, i) => {
        const bar = document.createElement('span');
        bar.className = 'bar';
        bar.dataset.bar = String(i);
        bar.title = String(value);
        bar.style.cssText = `display:inline-block;width:24px;margin-right:4px;background:#4a7;height:${Math.round((value / max) * 120)}px;vertical-align:bottom;cursor:pointer`;
        return bar;
      }));
    },
  },
});
