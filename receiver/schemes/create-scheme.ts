import { resolve } from 'node:path';
import type { IntegrationConfig } from '../../shared/contract/receiver-config.js';
import { githubScheme } from './github.js';
import { hmacScheme } from './hmac.js';
import { jwsScheme } from './jws.js';
import type { SignatureScheme } from './scheme.js';
import { shopifyScheme } from './shopify.js';
import { slackScheme } from './slack.js';
import { standardWebhooksScheme } from './standard-webhooks.js';
import { stripeScheme } from './stripe.js';
import { twilioScheme } from './twilio.js';

/** The scheme module an integration's config names, with its options; relative paths resolve against `baseDir`. */
export function createScheme(integration: IntegrationConfig, baseDir: string): SignatureScheme<unknown> {
  switch (integration.scheme) {
    case 'standard-webhooks':
      return standardWebhooksScheme();
    case 'stripe':
      return stripeScheme();
    case 'github':
      return githubScheme();
    case 'slack':
      return slackScheme();
    case 'shopify':
      return shopifyScheme();
    case 'twilio':
      return twilioScheme({ publicUrl: integration.publicUrl });
    case 'hmac': {
      const { timestampHeader, idHeader, ...options } = integration.hmac;
      return hmacScheme({
        ...options,
        ...(timestampHeader === undefined ? {} : { timestampHeader }),
        ...(idHeader === undefined ? {} : { idHeader }),
      });
    }
    case 'jws': {
      const { jwks, idHeader, ...options } = integration.jws;
      return jwsScheme({
        ...options,
        jwks: 'file' in jwks ? { file: resolve(baseDir, jwks.file) } : jwks,
        ...(idHeader === undefined ? {} : { idHeader }),
      });
    }
  }
}
