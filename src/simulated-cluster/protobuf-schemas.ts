// Message schemas of the kinds kubectl >= 1.32 creates in protobuf (field numbers of
// k8s.io/api/*/generated.proto), limited to the fields `kubectl create <kind>` and `auth` fill in.
import { bool, boolPtr, int, intOrString, intPtr, map, str, strList, sub, subList, type Schema } from './protobuf-reader.js';

const OBJECT_META: Schema = {
  1: str('name'),
  2: str('generateName'),
  3: str('namespace'),
  11: map('labels'),
  12: map('annotations'),
  14: strList('finalizers'),
};
const meta = sub('metadata', OBJECT_META);
const LOCAL_REF: Schema = { 1: str('name') };
const POLICY_RULE: Schema = {
  1: strList('verbs'),
  2: strList('apiGroups'),
  3: strList('resources'),
  4: strList('resourceNames'),
  5: strList('nonResourceURLs'),
};
const SUBJECT: Schema = { 1: str('kind'), 2: str('apiGroup'), 3: str('name'), 4: str('namespace') };
const ROLE_REF: Schema = { 1: str('apiGroup'), 2: str('kind'), 3: str('name') };
const BINDING: Schema = { 1: meta, 2: subList('subjects', SUBJECT), 3: sub('roleRef', ROLE_REF) };
const RESOURCE_ATTRIBUTES: Schema = {
  1: str('namespace'),
  2: str('verb'),
  3: str('group'),
  4: str('version'),
  5: str('resource'),
  6: str('subresource'),
  7: str('name'),
};
const LABEL_SELECTOR: Schema = { 1: map('matchLabels'), 2: subList('matchExpressions', { 1: str('key'), 2: str('operator'), 3: strList('values') }) };
const CONTAINER: Schema = {
  1: str('name'),
  2: str('image'),
  3: strList('command'),
  4: strList('args'),
  5: str('workingDir'),
  6: subList('ports', { 1: str('name'), 2: int('hostPort'), 3: int('containerPort'), 4: str('protocol'), 5: str('hostIP') }),
  7: subList('env', { 1: str('name'), 2: str('value') }),
  8: sub('resources', { 1: map('limits', 'quantity'), 2: map('requests', 'quantity') }),
  13: str('terminationMessagePath'),
  14: str('imagePullPolicy'),
  16: bool('stdin'),
  17: bool('stdinOnce'),
  18: bool('tty'),
  20: str('terminationMessagePolicy'),
};
const POD_SPEC: Schema = {
  2: subList('containers', CONTAINER),
  3: str('restartPolicy'),
  4: intPtr('terminationGracePeriodSeconds'),
  6: str('dnsPolicy'),
  7: map('nodeSelector'),
  8: str('serviceAccountName'),
  10: str('nodeName'),
  19: str('schedulerName'),
  20: subList('initContainers', CONTAINER),
};
const POD_TEMPLATE: Schema = { 1: meta, 2: sub('spec', POD_SPEC) };
const JOB_SPEC: Schema = {
  1: intPtr('parallelism'),
  2: intPtr('completions'),
  3: intPtr('activeDeadlineSeconds'),
  4: sub('selector', LABEL_SELECTOR),
  6: sub('template', POD_TEMPLATE),
  7: intPtr('backoffLimit'),
  8: intPtr('ttlSecondsAfterFinished'),
  9: str('completionMode'),
  10: boolPtr('suspend'),
};

/** Schemas by `<apiVersion>/<kind>`. */
export const KINDS: Record<string, Schema> = {
  'v1/Namespace': { 1: meta, 2: sub('spec', { 1: strList('finalizers') }) },
  'v1/Secret': { 1: meta, 2: map('data', 'base64'), 3: str('type'), 4: map('stringData'), 5: boolPtr('immutable') },
  'v1/ConfigMap': { 1: meta, 2: map('data'), 3: map('binaryData', 'base64'), 4: boolPtr('immutable') },
  'v1/ServiceAccount': { 1: meta, 2: subList('secrets', LOCAL_REF), 3: subList('imagePullSecrets', LOCAL_REF), 4: boolPtr('automountServiceAccountToken') },
  'v1/Service': {
    1: meta,
    2: sub('spec', {
      1: subList('ports', { 1: str('name'), 2: str('protocol'), 3: int('port'), 4: intOrString('targetPort'), 5: int('nodePort') }),
      2: map('selector'),
      3: str('clusterIP'),
      4: str('type'),
      5: strList('externalIPs'),
      7: str('sessionAffinity'),
      10: str('externalName'),
    }),
  },
  'apps/v1/Deployment': {
    1: meta,
    2: sub('spec', {
      1: intPtr('replicas'),
      2: sub('selector', LABEL_SELECTOR),
      3: sub('template', POD_TEMPLATE),
      4: sub('strategy', { 1: str('type') }),
      5: int('minReadySeconds'),
      6: intPtr('revisionHistoryLimit'),
      7: bool('paused'),
      9: intPtr('progressDeadlineSeconds'),
    }),
  },
  'batch/v1/Job': { 1: meta, 2: sub('spec', JOB_SPEC) },
  'batch/v1/CronJob': {
    1: meta,
    2: sub('spec', {
      1: str('schedule'),
      2: intPtr('startingDeadlineSeconds'),
      3: str('concurrencyPolicy'),
      4: boolPtr('suspend'),
      5: sub('jobTemplate', { 1: meta, 2: sub('spec', JOB_SPEC) }),
      6: intPtr('successfulJobsHistoryLimit'),
      7: intPtr('failedJobsHistoryLimit'),
      8: str('timeZone'),
    }),
  },
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: meta },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: meta,
    2: sub('spec', { 1: sub('resourceAttributes', RESOURCE_ATTRIBUTES), 2: sub('nonResourceAttributes', { 1: str('path'), 2: str('verb') }) }),
  },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: meta, 2: sub('spec', { 1: str('namespace') }) },
  'rbac.authorization.k8s.io/v1/Role': { 1: meta, 2: subList('rules', POLICY_RULE) },
  'rbac.authorization.k8s.io/v1/ClusterRole': { 1: meta, 2: subList('rules', POLICY_RULE) },
  'rbac.authorization.k8s.io/v1/RoleBinding': BINDING,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': BINDING,
};
