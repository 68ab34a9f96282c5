// GET /whoami: the token's name and role, so a client (the console) shows
// actions only to those who may take them. The API still refuses them to read
// tokens whatever a client shows.
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.ts';
import * as s from '../schemas.ts';

export function whoamiRoutes(app: FastifyInstance, _deps: ApiDeps): void {
  app.get('/whoami', {
    config: { doc: { access: 'read', summary: "The calling token's name and role", description: 'read: may see everything; admin: may also act.', tag: 'system' } },
    schema: { response: { 200: s.whoami } },
  }, async (req) => ({ name: req.caller!.name, role: req.caller!.role }));
}
