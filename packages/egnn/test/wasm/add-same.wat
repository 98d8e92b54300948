(module
  (import "env" "memory" (memory 1))
  (func $addVectors (export "addVectors") (param $out i32) (param $a i32) (param $b i32) (param $bytes i32)
    (local $ap i32)
    local.get $a
    local.set $ap
    local.get $a
    local.get $bytes
    i32.add
    local.set $bytes
    loop
      local.get $out
      local.get $ap
      v128.load
      local.get $b
      v128.load
      f32x4.add
      v128.store
      local.get $out
      i32.const 16
      i32.add
      local.set $out
      local.get $b
      i32.const 16
      i32.add
      local.set $b
      local.get $ap
      i32.const 16
      i32.add
      local.tee $ap
      local.get $bytes
      i32.lt_u
      br_if 0
    end
  )
)
