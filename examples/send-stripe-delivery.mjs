// Sends one delivery signed by Stripe's own library to the example receiver, then the same one
// again, then a copy with one byte changed: expect 202, 200 (duplicate) and 401.
//   node examples/send-stripe-delivery.mjs [url] [secret]
import Stripe from 'stripe';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/hooks/stripe-payments';
const secret = process.argv[3] ?? 'whsec_try_it_locally';
const payload = JSON.stringify({ id: `evt_${Date.now()}`, object: 'event', type: 'payment_intent.succeeded' });
const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });

async function send(label, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body });
  console.log(`${label.padEnd(10)} ${response.status} ${await response.text()}`);
}

await send('first', payload);
await send('again', payload);
await send('tampered', payload.replace('succeeded', 'succeedeD'));
