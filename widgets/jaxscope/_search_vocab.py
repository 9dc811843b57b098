"""What learners call each cheat-sheet concept when they do not know JAX's own word for it.

Two tables the search indexes with the concept they belong to (see ``_search``):

- ``VOCABULARY``: the words of NumPy, PyTorch, TensorFlow/Keras and everyday speech, and the
  flags, environment variables and config options, that mean the concept;
- ``ERRORS``: error classes and message fragments (as JAX, NumPy and Python print them) and the
  concept that explains them; the error coach (``_explain.explain``) is asked first for pasted
  errors, this table covers what it leaves open.

One entry a line: ``concept-id: phrase | phrase | ...`` (an indented line continues the one above).
"""

from __future__ import annotations

VOCABULARY = """
pure-functions: side effect | side effects | no side effects | global state | mutate global |
    functional programming | stateless
immutable-arrays: in place | inplace | item assignment | mutable | modify array | change array |
    arrays immutable | read only | x[i] = v | setitem
jax-numpy: drop in replacement for numpy | jnp | numpy api | np functions | numpy compatible
jax-array: DeviceArray | ndarray | jax.Array type | tensor type | array type | torch.Tensor |
    tf.Tensor
explicit-state: keep state outside | pass state in | stateful | global variable | class attribute |
    self.counter
explicit-prng: np.random.seed | global seed | global random state | random state | random.seed |
    tf.random.set_seed | stateful rng
tracers: tracer | traced value | abstract value | what is a tracer | Traced<ShapedArray>
static-vs-traced: static or traced | compile time constant | known at trace time | concrete value
array-creation: np.zeros | torch.zeros | torch.arange | torch.ones | tf.zeros | np.eye | identity
    matrix | linspace | full | empty array | zeros_like | torch.tensor | np.array | tf.constant
host-device-transfer: .cpu() | .numpy() | .cuda() | .to(device) | tensor.to | to numpy |
    np.asarray | back to host | between cpu and gpu | move data | device_put | device_get |
    copy to gpu | tf.device | read only numpy array
default-dtypes-x64: float64 | double precision | jax_enable_x64 | JAX_ENABLE_X64 | 64 bit | x64 |
    int64 | dtype float64 not available | float precision | numerical precision | precision too low
type-promotion: dtype promotion | type promotion | weak type | weakly typed | result dtype |
    mixed dtypes | int plus float | jax_numpy_dtype_promotion | upcast
low-precision: half precision | bfloat16 | float16 | fp16 | bf16 | store weights in half |
    16 bit | reduced precision
broadcasting-reshaping: view(-1) | reshape | squeeze | unsqueeze | expand_dims | new axis |
    transpose | permute | broadcast | tf.reshape | flatten array
numpy-differences: numpy vs jax | difference from numpy | numpy behaviour differs | sharp bits
indexing: fancy indexing | index array | select rows | list of indices | slicing | x[idx] |
    advanced indexing | pick elements | ix_
at-set: x[i] = v | x[0] = | assign element | set element | change element | change one element |
    update element | index_update | ops.index_update | .at[].set | tensor[idx] = value |
    tf.tensor_scatter_nd_update | scatter update | set values where | replace entries
at-arithmetic: index_add | index_add_ | x[i] += | add to element | increment entry | at add |
    scatter_add | multiply entry | read modify write
out-of-bounds: IndexError | index out of range | out of bounds | past the end | clamp index |
    invalid index | mode fill | mode drop
duplicate-indices: repeated indices | duplicate indices | same index twice | bincount |
    histogram | segment_sum | index appears twice | np.add.at | unique_indices
masking-where: boolean mask | mask | count where | x[mask] | boolean index | masked sum |
    nonzero size | argwhere | masked_select | dynamic shape | data dependent shape | jnp.unique |
    unique inside jit | size argument | variable length result
random-key: PRNGKey | jax.random.key | seed | manual_seed | torch.manual_seed | key from seed |
    make a key | create rng
split: split key | new key | subkey | more keys | several keys | independent keys | split rng
fold-in: fold_in | key per step | step number | per device key | derive key | per example key
samplers: random normal | uniform | randint | categorical | bernoulli | choice | permutation |
    shuffle | sample from distribution | torch.randn | np.random.normal | gumbel | truncated
key-reuse: same random numbers | same key twice | reuse key | identical samples | repeated
    randomness | same dropout mask | correlated samples | same noise
keys-vmap-jit: random inside vmap | keys under jit | vmap random | key per row | batch of keys |
    random in jit
key-impls: threefry | rbg | unsafe_rbg | jax_default_prng_impl | key_data | wrap_key_data |
    raw uint32 key | typed key | key implementation
jit-basics: jax.jit | @jit | compile function | xla compile | tf.function | torch.compile | numba |
    speed up function | what does jit do
trace-cache: cache of compiled | compiled once | first call slow | cache hit | cache key |
    _cache_size | second call fast | warm up
static-args: static_argnums | static_argnames | static argument | python int argument |
    shape argument | hashable | unhashable | non hashable static | concrete shape | size is traced |
    n is traced | traced size | traced shape
retracing: recompile | recompiles | recompiling | retrace | jax_log_compiles | log_compiles |
    jax_explain_cache_misses | explain cache misses | compiled again | compiles every call
async-dispatch: asynchronous | async | block_until_ready | lazy result | results come later |
    torch.cuda.synchronize | non blocking | dispatch
donation: donate | donate_argnums | donate_argnames | reuse buffer | donated buffers |
    in place update of buffer | buffer reuse
aot: ahead of time | lower | .lower() | .compile() | compiled.cost_analysis | memory_analysis |
    as_text | lowered | precompile
jit-methods-partial: jit method | self | class method | functools.partial | partial | bound
    method | nnx.jit | decorate method | static self
make-jaxpr: make_jaxpr | intermediate representation | ir | jaxpr | what jax records |
    computation graph | print graph | tf graph | torch.fx | torchscript | show operations
jaxpr-anatomy: invars | outvars | eqns | read a jaxpr | jaxpr structure | primitives | equations
abstract-values: ShapedArray | ShapeDtypeStruct | aval | abstract shape | shape and dtype only
trace-time-side-effects: print only once | runs once | append to list | side effect runs once |
    print first call only | python code runs at trace time | only the first time | first time only
leaked-tracers: leaked tracer | UnexpectedTracerError | escaped tracer | store tracer global |
    checking_leaks | jax_check_tracer_leaks
closed-over-constants: closure | captured variable | global array constant | closed over |
    baked in constant | global changed not seen | stale global
eval-shape: eval_shape | output shape | shape without running | abstract evaluation | shape
    inference | without allocating | no memory | init shapes | torch meta device
grad: derivative | gradient | backward | loss.backward | autograd | tf.GradientTape |
    GradientTape | backprop | differentiate | d/dx | scalar output
argnums: argnums | second argument | with respect to | several inputs | which argument |
    wrt | partial derivative
value-and-grad: value_and_grad | loss and gradient | loss and grad | value and gradients |
    both loss and
has-aux: has_aux | aux | auxiliary | extra outputs | return metrics | extra metrics | tuple from
    loss | return more than loss | also return
higher-order: second derivative | grad of grad | gradient of gradient | hessian vector product |
    hvp | nested grad | third derivative | higher order
pytree-gradients: dict of parameters | gradients of dict | nested parameters | params tree |
    gradient pytree | grad of dict
jacobians: jacobian | jacfwd | jacrev | torch.autograd.functional.jacobian | matrix of partial
hessian: hessian | matrix of second derivatives | curvature matrix | newton method
jvp: jvp | forward mode | directional derivative | tangent | push forward | forward ad |
    torch.func.jvp
vjp: vjp | reverse mode | pullback | cotangent | vector jacobian | torch.func.vjp
linearize: linearize | linear approximation | reuse jvp | taylor first order
stop-gradient: stop_gradient | no_grad | torch.no_grad | detach | .detach() | tf.stop_gradient |
    requires_grad | requires_grad=False | block gradient | no gradient | treat as constant |
    target network
custom-jvp: custom_jvp | custom derivative | derivative rule | numerically stable gradient |
    defjvp | safe log | custom gradient rule
custom-vjp: custom_vjp | custom backward | autograd.Function | straight through | defvjp |
    tf.custom_gradient | own backward pass | gradient clipping in backward
checkpoint: jax.checkpoint | remat | rematerialization | gradient checkpointing |
    activation checkpointing | recompute activations | torch.utils.checkpoint | save memory
    backward | checkpoint_policies | policy
vmap-basics: vmap | vectorize | vectorise | batch | batched | np.vectorize | torch.vmap |
    tf.vectorized_map | instead of loop | auto batch | map over first axis
in-axes: in_axes | fixed argument | broadcast argument | none axis | not mapped | inconsistent
    sizes | mapped axis
out-axes: out_axes | output axis | batch dimension last | where output batch
nested-vmap: vmap of vmap | nested vmap | pairwise | all pairs | distance matrix | outer product
per-example-gradients: per example | per sample | individual gradients | opacus | dp sgd |
    functorch | gradient per example
vmap-axis-name: axis_name | collective inside vmap | psum in vmap | batch statistics
lax-map: lax.map | chunk | chunks | batch_size | sequential map | out of memory vmap |
    memory of vmap
python-control-flow: if statement | python if | if else | conditional | branch | while in jit |
    TracerBoolConversionError | boolean conversion | bool of tracer | and or on tracer
cond: lax.cond | cond | both branches | branch on value | tf.cond | conditional execution
switch: lax.switch | switch | case | case statement | index of function | several branches |
    choose function | several functions | function by integer | based on an integer
select-where: jnp.where | where | lax.select | elementwise if | elementwise condition |
    np.where | torch.where | tf.where | replace nan | clip values | per element branch
while-loop: while_loop | while loop | until convergence | tolerance | unknown number of
    iterations | tf.while_loop | stop condition
fori-loop: fori_loop | for loop | range loop | range(n) | for i in range | fixed number of
    iterations | loop n times |
    python loop in jit
scan: scan | lax.scan | carry | rnn | hidden state | cumulative state | stack outputs |
    sequence | time steps | recurrence | tf.scan
control-flow-autodiff: differentiate loop | gradient through loop | reverse mode while |
    grad of while_loop | gradient of scan | differentiate cond
pytree-basics: pytree | nested structure | nested dict | nested list | tuple of arrays |
    container | state_dict | tree structure
tree-map: tree_map | jax.tree.map | map over tree | every leaf | each leaf | nested dict apply |
    tree_util | map_structure | tf.nest | torch.utils._pytree
flatten-unflatten: flatten | unflatten | tree_flatten | ravel_pytree | flat list | one vector |
    leaves | treedef | parameters to vector | parameters_to_vector
multi-tree-ops: two trees | add trees | combine trees | several trees | tree sum | tree
    difference | tree_transpose | zip trees
custom-nodes: register_pytree_node | register class | custom class | not a valid jax type |
    register_pytree_node_class | tree_flatten method
dataclass-nodes: dataclass | register_dataclass | static field | field static | frozen
    dataclass | chex dataclass | struct.dataclass
key-paths: key path | path of leaf | leaf names | tree_map_with_path | tree_flatten_with_path |
    keystr | named parameters | named_parameters | names of each leaf | leaf names | name of leaf
devices: jax.devices | gpu | gpus | tpu | cpu only | device count | list devices | which
    device | cuda available | torch.cuda.is_available | local_devices | default backend
simulated-devices: xla_force_host_platform_device_count | jax_num_cpu_devices | fake devices |
    simulate devices | multi device on cpu | laptop | XLA_FLAGS | cpu devices
pmap: pmap | replicate | per device | pmap deprecated | axis_name pmap | replicated function
collectives: psum | pmean | all reduce | allreduce | average across devices | sum across
    devices | reduce across | all_reduce | dist.all_reduce
ppermute-all-gather: all_gather | ppermute | ring | neighbour device | gather from devices |
    permute between devices | send to device
data-parallel-step: data parallel | DataParallel | DistributedDataParallel | ddp | replicas |
    data parallelism | split batch across devices | mirrored strategy | tf.distribute
mesh: mesh | make_mesh | device mesh | axis names | named axes | device grid | Mesh
partition-spec: PartitionSpec | P() | spec | partition spec | tensor parallel | model parallel |
    megatron | shard axis | layout
named-sharding: NamedSharding | shard array | split across gpus | shard batch | device_put
    sharding | distribute tensor | sharded array | fsdp
jit-partitioning: output sharding | sharding propagation | gspmd | auto sharding | jit sharding |
    in_shardings | out_shardings | compiler sharding
sharding-constraints: with_sharding_constraint | force sharding | sharding constraint |
    intermediate sharding | reshard
shard-map: shard_map | per device code | explicit communication | manual sharding |
    collective by hand | spmd program | xmap
multi-process: multi host | multi node | several machines | jax.distributed.initialize |
    distributed | slurm | cluster | process_index | process_count | torch.distributed |
    multi worker
lax-vs-jnp: lax vs jnp | lax or jnp | low level | jax.lax | lax primitives | when to use lax
dot-general: matmul | dot | einsum | bmm | batched matmul | torch.bmm | tf.matmul | precision |
    jax_default_matmul_precision | matmul precision | tf32 | dot_general | contraction
convolution: convolution | conv | conv2d | conv_general_dilated | nhwc | nchw | torch.nn.Conv2d |
    filter | kernel size | dimension_numbers
dynamic-slicing: dynamic_slice | dynamic_update_slice | traced start | traced index | slice at
    traced | variable offset | window at offset | tracer slice
reductions: reduce | reduce_window | max pool | pooling | avg pool | sliding window | sum over
    window | torch.nn.MaxPool2d | argmax | sum axis
associative-scan: associative_scan | prefix sum | cumsum | cumulative | parallel scan |
    running total
gather-scatter: gather | scatter | take_along_axis | torch.gather | torch.scatter |
    tf.gather | take | lax.gather | lax.scatter
debug-print: jax.debug.print | print inside jit | print value | print tracer | prints Traced |
    show value | log value | tf.print
debug-breakpoint: breakpoint | pdb | debugger | step into | jax.debug.breakpoint | ipdb | inspect
    variables
checkify: checkify | assert | assertion | runtime check | error check in jit | raise error in
    jit | index check
debug-nans: jax_debug_nans | debug nans | find nan | where nan comes from | nan source |
    jax_debug_infs | torch.autograd.set_detect_anomaly | detect anomaly | FloatingPointError
disable-jit: disable_jit | jax_disable_jit | JAX_DISABLE_JIT | without jit | turn off jit |
    eager | eager mode | run_functions_eagerly | no jit | debug without compile
tracer-errors: ConcretizationTypeError | TracerArrayConversionError | tracer error |
    TracerIntegerConversionError | numpy on tracer | np function on tracer | __array__
nan-safe-where: nan gradient | nan grad | nan where | double where | gradient nan where |
    where sqrt nan | untaken branch nan | safe sqrt | safe log
benchmarking: benchmark | timing | timeit | time function | measure time | how long | how fast |
    %timeit | slow | speed
compile-cache: compilation cache | persistent cache | jax_compilation_cache_dir | cache on
    disk | save compiled | avoid recompiling at startup | compile time startup |
    jax_persistent_cache_min_compile_time_secs | save jitted functions | keep compiled code between
    sessions | across restarts
fusion-hlo: hlo | optimized hlo | fusion | fuse | xla ops | as_text | kernel fusion |
    compiled code | stablehlo text
profiler: profile | profiler | jax.profiler.trace | perfetto | tensorboard profile | trace
    viewer | xprof | torch.profiler | nsys
memory: out of memory | oom | RESOURCE_EXHAUSTED | memory usage | preallocate |
    XLA_PYTHON_CLIENT_PREALLOCATE | XLA_PYTHON_CLIENT_MEM_FRACTION | memory_stats | gpu memory |
    live_arrays | free memory
mixed-precision: mixed precision | amp | torch.cuda.amp | autocast | master weights | loss
    scaling | compute in bf16 | tf.keras.mixed_precision
loops-compile-time: slow compile | long compile | compilation takes | unroll | python loop
    compile | many layers compile | compile time grows
flax-nnx: nnx | flax.nnx | nnx.Module | nnx.Linear | torch.nn.Module | nn.Module | keras layer |
    keras model | neural network | define model | layer | nnx.Rngs
flax-linen: linen | flax.linen | nn.compact | setup | model.init | model.apply | variables |
    params collection
equinox: equinox | eqx | eqx.Module | filter_jit | filter_grad | eqx.nn
haiku: haiku | hk | hk.transform | transform_with_state | sonnet | hk.Module
params-as-pytrees: count parameters | number of parameters | parameter count | params tree |
    model size | trainable parameters
stateful-layers: batchnorm | batch norm | dropout | train mode | eval mode | model.train() |
    model.eval() | running statistics | running mean | deterministic | BatchStat
optimizers: optax | adam | adamw | sgd | momentum | rmsprop | torch.optim | optimizer |
    optimiser | tf.keras.optimizers | weight decay | lion
init-update-apply: optimizer.step | zero_grad | apply_updates | opt_state | tx.update |
    tx.init | update step | optimizer state | optimizer.update
chain-clip: clip_by_global_norm | clip gradients | gradient clipping | clip_grad_norm_ |
    optax.chain | chain | exploding gradients | clipnorm | global norm
schedules: learning rate schedule | warmup | cosine decay | lr schedule | scheduler |
    lr_scheduler | exponential decay | learning rate | onecycle | inject_hyperparams
losses: loss function | cross entropy | softmax_cross_entropy | mse | l2 loss | log loss |
    CrossEntropyLoss | nll | sigmoid_binary_cross_entropy | integer labels
grad-accumulation: gradient accumulation | accumulate gradients | micro batch | microbatch |
    MultiSteps | larger batch | every k steps
per-param-transforms: multi_transform | masked | freeze | frozen | freeze layers | freeze
    parameters | set_to_zero | different learning rate | param groups | no weight decay on bias |
    trainable=False | exclude bias | subset of parameters | weight decay mask | mask for weight
    decay | adamw mask
train-step: train step | training step | update step | train_step | one step | training
    iteration
jitted-loop: jit the loop | whole training loop | loop on device | fori_loop training | scan
    over steps | many steps in one call | training steps on device | loop over training steps
train-state: TrainState | train state | training state | flax.training | state container |
    nnx.Optimizer
data-pipeline: data loader | dataloader | DataLoader | tf.data | grain | prefetch | input
    pipeline | feed batches | batches from | dataset | torch.utils.data
metrics-logging: log metrics | logging | metrics | wandb | tensorboard | log loss | log every |
    clu metrics | nnx.metrics | average metric
checkpointing: save model | load model | checkpoint | orbax | restore | resume training |
    state_dict | torch.save | torch.load | model.save | save weights | pickle params | save
    parameters
reproducibility: reproducible | deterministic | same result | same results | determinism |
    xla_gpu_deterministic_ops | nondeterministic | bitwise identical | between runs
pure-callback: pure_callback | call numpy | call scipy | host function | python function inside
    jit | external library inside jit | numpy inside jit | callback
io-callback: io_callback | write file in jit | side effect callback | ordered callback | log to
    file | send to host
dlpack: dlpack | torch tensor | to torch | from torch | zero copy | without copy |
    torch.from_dlpack | cupy | tensorflow tensor | share memory
export: jax.export | export | serialize | serialise | stablehlo | deploy | serving | save
    function | tf saved model | jax2tf | onnx | torchscript
pallas: pallas | custom kernel | triton | cuda kernel | mosaic | write kernel | gpu kernel |
    tpu kernel
scipy-linalg: linear system | solve | cholesky | svd | eig | inverse | jax.scipy | scipy |
    lstsq | linalg | qr | determinant | Ax=b
typing: type hint | type annotation | annotate | jaxtyping | ArrayLike | mypy | Float[Array |
    shape annotation | typecheck
"""

ERRORS = """
immutable-arrays: JAX arrays are immutable and do not support in-place item assignment |
    does not support item assignment | object does not support item assignment |
    '<class 'jaxlib._jax.ArrayImpl'>' object does not support item assignment
host-device-transfer: assignment destination is read-only | read-only | WRITEABLE
default-dtypes-x64: Explicitly requested dtype float64 | is not available, and will be truncated |
    set the jax_enable_x64 configuration option
python-control-flow: TracerBoolConversionError | Attempted boolean conversion of traced array |
    The truth value of an array with more than one element is ambiguous
static-args: TracerIntegerConversionError | The __index__() method was called on traced array |
    Shapes must be 1D sequences of concrete values of integer type |
    Non-hashable static arguments are not supported | unhashable type |
    is not a valid JAX type
masking-where: NonConcreteBooleanIndexError | Array boolean indices must be concrete |
    boolean indices must be concrete
tracer-errors: ConcretizationTypeError | TracerArrayConversionError |
    Abstract tracer value encountered where concrete value is expected |
    The numpy.ndarray conversion method __array__() was called on traced array
leaked-tracers: UnexpectedTracerError | Encountered an unexpected tracer | leaked |
    Leaked trace
grad: Gradient only defined for scalar-output functions | grad requires real- or complex-valued
    inputs | differentiable
has-aux: has_aux=True | Gradient only defined for scalar-output functions. Output was a tuple |
    expected a function returning a pair
in-axes: vmap got inconsistent sizes for array axes to be mapped | vmap in_axes must be |
    in_axes specification must be a tree prefix
control-flow-autodiff: Reverse-mode differentiation does not work for lax.while_loop |
    reverse-mode differentiation of while_loop | fori_loop with dynamic trip count
scan: scan body function carry input and carry output must have equal types |
    the input carry and output carry
cond: true_fun and false_fun output must have identical types | branch outputs must have same
    type
debug-nans: FloatingPointError | invalid value (nan) encountered | nan encountered | inf
    encountered
memory: RESOURCE_EXHAUSTED | Out of memory while trying to allocate | out of memory | OOM
donation: Some donated buffers were not usable | donated buffers | Invalid buffer passed:
    buffer has been deleted or donated | Array has been deleted
dynamic-slicing: Array slice indices must have static start/stop/step | slice indices must be
    static | dynamic_slice
debug-print: Traced<ShapedArray | Tracedwith | JitTracer
out-of-bounds: IndexError | index is out of bounds
indexing: Too many indices | indexed with | only integers, slices, ellipsis
multi-tree-ops: unsupported operand type(s) for +: 'dict' and 'dict' | unsupported operand type(s)
    for 'dict'
custom-nodes: is not a valid JAX type | not a valid JAX type | Custom node type mismatch
dataclass-nodes: unhashable type dataclass | mutable default
key-reuse: PRNG key reused | key reuse | KeyReuseError | Previously-consumed key
random-key: PRNGKey is deprecated | Legacy uint32 key array | jax.random.PRNGKey
key-impls: TypeError: JAX encountered invalid PRNG key data | key_data | typed key array
devices: No GPU/TPU found, falling back to CPU | Unable to initialize backend 'cuda' |
    CUDA backend failed to initialize | jaxlib is not built with cuda
simulated-devices: xla_force_host_platform_device_count | jax_num_cpu_devices
collectives: unbound axis name | axis name not found
pmap: pmap is deprecated | compiling computation that requires devices
named-sharding: One of device_put args was given the sharding | is not evenly divisible |
    sharding is incompatible
shard-map: shard_map applied to the function | out_specs | check_vma
checkpointing: orbax | Checkpoint already exists | failed to restore
pure-callback: pure_callback | callback returned | result_shape_dtypes
dot-general: dot_general requires contracting dimensions to have the same shape |
    matmul input operand has dimension size
type-promotion: Type promotion | promotes to | weak_type
"""
