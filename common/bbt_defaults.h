/*
 * bbt_defaults: the defaults both programs must agree on, in one place.
 *   - the zone a school's day and ISO week are counted in when nothing says
 *     otherwise (the server's --tz, the points rule's week_zone);
 *   - the detector's settings (CONTRACT 4.2): the agent's built-in values, and
 *     what the collector hands to agents when neither `serve` options nor
 *     the school's own settings (`school set`) say otherwise. A session the
 *     agent cuts must be the session the collector expects, so these are
 *     never written twice.
 */
#ifndef COMMON_BBT_DEFAULTS_H
#define COMMON_BBT_DEFAULTS_H

#define BBT_DEFAULT_ZONE "Asia/Shanghai"

#define BBT_DETECTOR_IDLE_GAP_S 600		/* a gap this long ends a session */
#define BBT_DETECTOR_MIN_SESSION_S 900		/* shorter sessions are not kept */
#define BBT_DETECTOR_STUCK_CONTACT_S 120	/* a contact held this long is stuck */

#endif
