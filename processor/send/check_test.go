package send_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/boomerang-dev/boomerang/flows/event"
	"github.com/boomerang-dev/boomerang/processor"
	"github.com/boomerang-dev/boomerang/processor/send"
)

var now = time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC)

func profile(email, sms string) *processor.Profile {
	p := &processor.Profile{Consent: map[string]processor.ConsentRecord{}}
	if email != "" {
		p.Consent[event.ChannelEmail] = processor.ConsentRecord{State: email}
	}
	if sms != "" {
		p.Consent[event.ChannelSMS] = processor.ConsentRecord{State: sms}
	}
	return p
}

func cmd(channel, category string) *processor.SendCommand {
	return &processor.SendCommand{Channel: channel, Category: category, To: "ann@example.com", Priority: 50, DueAt: now}
}

func TestConsentMatrix(t *testing.T) {
	t.Parallel()
	states := []string{
		"", event.ConsentSubscribed, event.ConsentNotSubscribed, event.ConsentUnsubscribed,
		event.ConsentPending, event.ConsentRedacted, event.ConsentInvalid,
	}
	for _, channel := range []string{event.ChannelEmail, event.ChannelSMS} {
		for _, category := range []string{"marketing", "transactional"} {
			for _, state := range states {
				p := profile(state, state)
				d := send.Check(send.Input{
					Cmd: cmd(channel, category), Profile: p, Now: now,
					Policy: send.Policy{Zone: time.UTC, QuietStart: 23, QuietEnd: 6},
				})
				want := send.ActionSkip
				if category == "transactional" || state == event.ConsentSubscribed {
					want = send.ActionSend
				}
				require.Equal(t, want, d.Action, "%s %s %q", channel, category, state)
				if want == send.ActionSkip {
					reason := send.ReasonNoConsent
					if state == event.ConsentUnsubscribed {
						reason = send.ReasonUnsubscribed // an explicit opt-out says so
					}
					require.Equal(t, reason, d.Reason)
				}
			}
		}
	}
	d := send.Check(send.Input{Cmd: cmd(event.ChannelEmail, "marketing"), Profile: nil, Now: now})
	require.Equal(t, send.ReasonNoConsent, d.Reason, "no profile, no consent")
}

func TestSuppressionBeatsEverything(t *testing.T) {
	t.Parallel()
	d := send.Check(send.Input{Cmd: cmd(event.ChannelEmail, "transactional"), Suppressed: "hard bounce", Now: now})
	require.Equal(t, send.ActionSkip, d.Action)
	require.Equal(t, "suppressed: hard bounce", d.Reason)
	c := cmd(event.ChannelEmail, "transactional")
	c.To = ""
	require.Equal(t, send.ReasonNoAddress, send.Check(send.Input{Cmd: c, Now: now}).Reason)
}

func TestStaleMarketingIsSkippedTransactionalGoes(t *testing.T) {
	t.Parallel()
	p := profile(event.ConsentSubscribed, "")
	c := cmd(event.ChannelEmail, "marketing")
	c.DueAt = now.Add(-25 * time.Hour)
	require.Equal(t, send.ReasonStale, send.Check(send.Input{Cmd: c, Profile: p, Now: now}).Reason)
	c.MaxLateness = 48 * time.Hour
	require.Equal(t, send.ActionSend, send.Check(send.Input{Cmd: c, Profile: p, Now: now}).Action)
	tc := cmd(event.ChannelEmail, "transactional")
	tc.DueAt = now.Add(-100 * time.Hour)
	require.Equal(t, send.ActionSend, send.Check(send.Input{Cmd: tc, Profile: p, Now: now}).Action)
}

func TestSmartSendingCountsEqualOrHigherPriority(t *testing.T) {
	t.Parallel()
	p := profile(event.ConsentSubscribed, "")
	pol := send.Policy{SmartSending: map[string]time.Duration{event.ChannelEmail: 16 * time.Hour}}
	abandonment := cmd(event.ChannelEmail, "marketing") // priority 50
	welcome := cmd(event.ChannelEmail, "marketing")
	welcome.Priority = 20

	// A welcome email an hour ago does not block an abandonment reminder...
	recent := send.Recent{20: now.Add(-time.Hour)}
	require.Equal(t, send.ActionSend, send.Check(send.Input{Cmd: abandonment, Profile: p, Recent: recent, Policy: pol, Now: now}).Action)
	// ...while the reverse holds.
	recent = send.Recent{50: now.Add(-time.Hour)}
	require.Equal(t, send.ReasonSmartSending, send.Check(send.Input{Cmd: welcome, Profile: p, Recent: recent, Policy: pol, Now: now}).Reason)
	// Outside the window, or with smart sending off (0s), it goes.
	recent = send.Recent{50: now.Add(-17 * time.Hour)}
	require.Equal(t, send.ActionSend, send.Check(send.Input{Cmd: welcome, Profile: p, Recent: recent, Policy: pol, Now: now}).Action)
	recent = send.Recent{50: now.Add(-time.Hour)}
	off := send.Policy{SmartSending: map[string]time.Duration{event.ChannelEmail: 0}}
	require.Equal(t, send.ActionSend, send.Check(send.Input{Cmd: welcome, Profile: p, Recent: recent, Policy: off, Now: now}).Action)
}

func TestQuietHoursAcrossZonesAndDaylightSaving(t *testing.T) {
	t.Parallel()
	p := profile("", event.ConsentSubscribed)
	sms := cmd(event.ChannelSMS, "marketing")
	sms.To = "+15005550006"
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	pol := send.Policy{Zone: ny}
	at := func(local string, zone *time.Location) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", local, zone)
		require.NoError(t, err)
		return tm
	}
	check := func(n time.Time, recipient *time.Location) send.Decision {
		c := *sms
		c.DueAt = n
		return send.Check(send.Input{Cmd: &c, Profile: p, Policy: pol, Zone: recipient, Now: n})
	}
	// 22:30 in New York: deferred to 08:00 the next morning.
	d := check(at("2026-07-01 22:30", ny), nil)
	require.Equal(t, send.ActionDefer, d.Action)
	require.Equal(t, at("2026-07-02 08:00", ny), d.Until.In(ny))
	// 07:59: deferred to 08:00 the same day; 08:00 goes; 20:59 goes.
	require.Equal(t, at("2026-07-02 08:00", ny), check(at("2026-07-02 07:59", ny), nil).Until.In(ny))
	require.Equal(t, send.ActionSend, check(at("2026-07-02 08:00", ny), nil).Action)
	require.Equal(t, send.ActionSend, check(at("2026-07-02 20:59", ny), nil).Action)
	// The recipient's zone wins over the shop's: 15:00 UTC is 16:00 in London (fine) but 00:00 in Tokyo.
	require.Equal(t, send.ActionSend, check(now, send.ZoneForPhone("+447700900000")).Action)
	d = check(now, send.ZoneForPhone("+81312345678"))
	require.Equal(t, send.ActionDefer, d.Action)
	require.Equal(t, time.Date(2026, 7, 1, 23, 0, 0, 0, time.UTC), d.Until, "08:00 in Tokyo")
	// The night the clocks spring forward (2026-03-08, 02:00 EST → 03:00 EDT): 23:00 EST defers to 08:00 EDT,
	// which is 12:00 UTC, not 13:00.
	d = check(at("2026-03-07 23:00", ny), nil)
	require.Equal(t, time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), d.Until)
	// Transactional SMS ignores quiet hours.
	tc := cmd(event.ChannelSMS, "transactional")
	tc.To = "+15005550006"
	require.Equal(t, send.ActionSend, send.Check(send.Input{Cmd: tc, Policy: pol, Now: at("2026-07-01 23:00", ny)}).Action)
}

func TestZoneForPhone(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Europe/London", send.ZoneForPhone("+447700900000").String())
	require.Equal(t, "Europe/Dublin", send.ZoneForPhone("+353861234567").String())
	require.Nil(t, send.ZoneForPhone("+15005550006"), "North America spans zones")
	require.Nil(t, send.ZoneForPhone("07700900000"), "not E.164")
	require.Nil(t, send.ZoneForPhone("+"))
}

func FuzzZoneForPhone(f *testing.F) {
	f.Add("+447700900000")
	f.Add("+1")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) { _ = send.ZoneForPhone(s) })
}
