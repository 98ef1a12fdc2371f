import { providerIds, providerInfo } from '../../../shared/providers';

/** One option per provider known here (built-in and the user's own), by its label: for every provider picker. */
export function ProviderOptions() {
  return (
    <>
      {providerIds().map((id) => (
        <option key={id} value={id}>
          {providerInfo(id).label}
        </option>
      ))}
    </>
  );
}
