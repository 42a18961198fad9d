/**
 * @module test/integration/security/auth-routes-probe — a Worker that answers with the real
 * Worker's route table (Hono's `app.routes`, through worker/index.ts's `routes()`), so the auth
 * test tries every route there is and a route added later cannot be forgotten. Plain JavaScript:
 * it is bundled for workerd by esbuild, and the Node-side typecheck does not see worker/ types.
 */
import { routes } from '../../../worker/index.ts';

export default {
  fetch: () => Response.json(routes()),
};
