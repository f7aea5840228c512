// Package twilio delivers SMS through Twilio Programmable Messaging and
// receives what Twilio posts back.
//
// Three pieces, each usable alone:
//
//   - Client sends one SMS (POST /2010-04-01/Accounts/{sid}/Messages.json)
//     through github.com/twilio/twilio-go, retrying 429/20429 and 5xx with
//     jittered exponential backoff and classifying every other outcome into
//     the sentinel errors ErrUnsubscribed, ErrInvalidNumber, ErrPermanent,
//     ErrTemporary and ErrAmbiguous. Twilio has no idempotency key, so a
//     request that may have reached Twilio is never repeated: it fails with
//     ErrAmbiguous and the caller's send ledger decides.
//   - Webhook (POST /webhooks/twilio for the role's account, and
//     POST /webhooks/twilio/{shop} for a shop with an account or subaccount
//     of its own, verified with that account's token) checks
//     X-Twilio-Signature and turns status callbacks into message.sent,
//     message.delivered and message.failed events, and inbound messages into
//     sms.inbound (plus consent.updated for STOP and START), published before
//     it answers. HELP is answered with the shop's help text as TwiML. The
//     client puts a shop's callbacks on its own path when the SMS says so
//     (SMS.StatusCallbackBase).
//   - VerifySignature is the pure helper behind them. Segment counting lives
//     with the templates (flows/template.Segments).
//
// twilio-go has no base-URL setting and no context parameter. The Client
// gives it an http.Client whose transport rewrites every request to
// Config.BaseURL and carries the Send call's context, built anew for each
// attempt, so cancellation and deadlines reach the HTTP exchange itself
// (see Client.Send for what remains outside the context's reach).
package twilio
