import { defineModule } from '../module';
import { authResolvers } from './resolvers';

export const authModule = defineModule({
  id: 'auth',
  resolvers: authResolvers,
  mappers: { Viewer: '../modules/auth/viewer#AuthenticatedViewer' },
});
