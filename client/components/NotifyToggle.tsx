import { Match, Switch } from 'solid-js';
import type { NotifySetting } from '../state/createNotifySetting.ts';

/** "Notify me when an agent waits": a switch for desktop notifications, with what the browser allows. */
export function NotifyToggle(props: { setting: NotifySetting }) {
  return (
    <div class="notify-toggle">
      <label>
        <input
          type="checkbox"
          data-testid="notify-toggle"
          checked={props.setting.enabled()}
          disabled={props.setting.permission() === 'unsupported'}
          onChange={(e) => {
            const box = e.currentTarget;
            // Refused permission leaves the switch off: show that, not the click.
            void props.setting.setEnabled(box.checked).then(() => {
              box.checked = props.setting.enabled();
            });
          }}
        />{' '}
        Notify me when an agent waits for me
      </label>
      <Switch>
        <Match when={props.setting.permission() === 'denied'}>
          <p class="notify-note" data-testid="notify-note">
            This browser blocks notifications from this page; allow them in its site settings.
          </p>
        </Match>
        <Match when={props.setting.permission() === 'unsupported'}>
          <p class="notify-note" data-testid="notify-note">
            This browser cannot show notifications.
          </p>
        </Match>
      </Switch>
    </div>
  );
}
