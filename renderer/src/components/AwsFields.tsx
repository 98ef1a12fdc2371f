import { type ProviderId, providerInfo } from '../../../shared/providers';

/** Region (and workspace, for Claude Platform on AWS): the settings an AWS-hosted provider needs. */
export function AwsFields(props: {
  provider: ProviderId;
  region: string;
  onRegion(value: string): void;
  workspace: string;
  onWorkspace(value: string): void;
}) {
  const info = providerInfo(props.provider);
  if (!info.regional) return null;
  return (
    <>
      <label>
        AWS region
        <input value={props.region} placeholder="us-east-1" onChange={(e) => props.onRegion(e.target.value)} />
      </label>
      {info.usesWorkspace && (
        <label>
          Workspace ID
          <input value={props.workspace} onChange={(e) => props.onWorkspace(e.target.value)} />
        </label>
      )}
    </>
  );
}
