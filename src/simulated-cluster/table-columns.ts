// meta.k8s.io/v1 Table column definitions per resource, as kube-apiserver's printers declare them
// (pkg/printers/internalversion). Descriptions are the swagger docs the real server embeds; the
// ones recorded in the fixtures are byte-exact.

/** One Table column definition. */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const CONTAINERS_DOC = 'Names of each container in the template.';
const IMAGES_DOC = 'Images referenced by each container in the template.';
const SELECTOR_DOC =
  "Label query over pods that should match the replica count. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";
const READY_DOC = 'Number of the pod with ready state';

function col(name: string, description: string, opts: { type?: string; format?: string; priority?: number } = {}): ColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}
const nameCol = col('Name', NAME_DOC, { format: 'name' });
const ageCol = col('Age', AGE_DOC);
const wide = (name: string, doc: string) => col(name, doc, { priority: 1 });

const BINDING_COLUMNS = (what: string): ColumnDefinition[] => [
  nameCol,
  col(
    'Role',
    'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
  ),
  ageCol,
  wide('Users', `Users in the ${what}`),
  wide('Groups', `Groups in the ${what}`),
  wide('ServiceAccounts', `ServiceAccounts in the ${what}`),
];

/** Column definitions by resource (plural); resources absent here use DEFAULT_COLUMNS. */
export const COLUMNS: Record<string, ColumnDefinition[]> = {
  pods: [
    nameCol,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageCol,
    wide('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
    wide(
      'Node',
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
    ),
    wide(
      'Nominated Node',
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
    ),
    wide(
      'Readiness Gates',
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    ),
  ],
  namespaces: [nameCol, col('Status', 'The status of the namespace'), ageCol],
  secrets: [
    nameCol,
    col('Type', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    col(
      'Data',
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    ageCol,
  ],
  configmaps: [
    nameCol,
    col(
      'Data',
      "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    ageCol,
  ],
  services: [
    nameCol,
    col('Type', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
    col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'The list of ports that are exposed by this service.'),
    ageCol,
    wide('Selector', 'Route service traffic to pods with label keys and values matching this selector.'),
  ],
  serviceaccounts: [
    nameCol,
    col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    ageCol,
  ],
  events: [
    col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col('Object', 'The object that this event is about.'),
    wide('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
    wide('Source', 'The component reporting this event. Should be a short machine understandable string.'),
    col('Message', 'A human-readable description of the status of this operation.'),
    wide('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    wide('Count', 'The number of times this event has occurred.'),
    col('Name', NAME_DOC, { priority: 1, format: 'name' }),
  ],
  nodes: [
    nameCol,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    ageCol,
    col('Version', 'Kubelet Version reported by the node.'),
    wide('Internal-IP', 'List of addresses reachable to the node.'),
    wide('External-IP', 'List of addresses reachable to the node.'),
    wide('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
    wide('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    wide('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
  ],
  deployments: [
    nameCol,
    col('Ready', READY_DOC),
    col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageCol,
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', SELECTOR_DOC),
  ],
  replicasets: [
    nameCol,
    col('Desired', 'Replicas is the number of desired replicas.', { type: 'integer' }),
    col('Current', 'Replicas is the most recently observed number of replicas.', { type: 'integer' }),
    col('Ready', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.', { type: 'integer' }),
    ageCol,
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', SELECTOR_DOC),
  ],
  statefulsets: [nameCol, col('Ready', READY_DOC), ageCol, wide('Containers', CONTAINERS_DOC), wide('Images', IMAGES_DOC)],
  daemonsets: [
    nameCol,
    col('Desired', 'The total number of nodes that should be running the daemon pod.', { type: 'integer' }),
    col('Current', 'The number of nodes that are running at least one daemon pod and are supposed to run the daemon pod.', { type: 'integer' }),
    col('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', { type: 'integer' }),
    col('Up-to-date', 'The total number of nodes that are running updated daemon pod', { type: 'integer' }),
    col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.', {
      type: 'integer',
    }),
    col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageCol,
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', SELECTOR_DOC),
  ],
  jobs: [
    nameCol,
    col('Status', 'Status of the job.'),
    col('Completions', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'Time required to complete the job.'),
    ageCol,
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', SELECTOR_DOC),
  ],
  cronjobs: [
    nameCol,
    col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    col('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.', { type: 'boolean' }),
    col('Active', 'A list of pointers to currently running jobs.', { type: 'integer' }),
    col('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    ageCol,
    wide('Containers', CONTAINERS_DOC),
    wide('Images', IMAGES_DOC),
    wide('Selector', SELECTOR_DOC),
  ],
  rolebindings: BINDING_COLUMNS('roleBinding'),
  clusterrolebindings: BINDING_COLUMNS('clusterRoleBinding'),
};

/** The default table of resources without a printer (roles, clusterroles): Name and Created At. */
export const DEFAULT_COLUMNS: ColumnDefinition[] = [nameCol, col('Created At', AGE_DOC, { type: 'date' })];
