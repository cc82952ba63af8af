package config

import "github.com/robfig/cron/v3"

// cronFields returns a checker of the five-field cron expressions
// Cloudflare cron triggers accept: minute, hour, day of month, month and
// day of week, with ranges, lists, steps and month and day names.
func cronFields() func(string) error {
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)
	return func(spec string) error {
		_, err := p.Parse(spec)
		return err
	}
}
