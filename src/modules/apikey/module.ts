import type { ApiKeyRow } from './mappers';
import { defineModule } from '../module';
import { createApiKeyLoaders } from './loaders';
import { apiKeyResolvers } from './resolvers';
import { ApiKeyService } from './service';

export const apiKeyModule = defineModule({
  id: 'apikey',
  resolvers: apiKeyResolvers,
  mappers: {
    ApiKey: '../modules/apikey/mappers#ApiKeyRow',
    CreateApiKeySuccess: '../modules/apikey/mappers#CreatedApiKey',
    RevokeApiKeySuccess: '../modules/apikey/mappers#RevokedApiKey',
  },
  loaders: (db) => ({ apiKey: createApiKeyLoaders(db) }),
  services: (ctx) => ({ apiKey: new ApiKeyService(ctx) }),
  nodeTypes: {
    ApiKey: { load: (ctx, id): Promise<ApiKeyRow | null> => ctx.services.apiKey.byId(id), is: (row) => 'prefix' in row },
  },
});
