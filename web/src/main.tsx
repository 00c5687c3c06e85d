import { createTollgateClient } from '@tollgate/client';
import { TollgateProvider } from '@tollgate/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app';
import { StepUpProvider } from './step-up/step-up';
import './styles.css';

// Same origin as the page: the dev server (and production's reverse proxy) forwards /graphql.
// For an API on another origin, see README "Frontend" (CORS_ORIGINS, credentials: 'include').
// Subscriptions (live articles) over a WebSocket to the same path, opened only when one starts.
const tollgate = createTollgateClient({ uri: '/graphql', websocketUri: '/graphql' });
// One refresh from the cookie; until it answers the app shows a neutral state, not the login form.
void tollgate.restore();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TollgateProvider client={tollgate}>
      <BrowserRouter>
        <StepUpProvider>
          <App />
        </StepUpProvider>
      </BrowserRouter>
    </TollgateProvider>
  </StrictMode>,
);
