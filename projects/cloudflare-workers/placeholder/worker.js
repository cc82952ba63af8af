// Placeholder bundle of every Worker in the local sandbox and in unit tests.
// It is a minimal ES-module Worker with each handler the platform calls:
// fetch (HTTP and service bindings), queue (queue consumers) and scheduled
// (cron triggers). Real bundles are the application's build output; see
// docs/cloudflare.md, "Worker code".
export default {
  async fetch(request, env) {
    return new Response("placeholder Worker\n", {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
  async queue(batch, env) {
    batch.ackAll();
  },
  async scheduled(controller, env, ctx) {},
};
