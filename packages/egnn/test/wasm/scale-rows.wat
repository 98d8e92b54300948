(module
  (import "env" "memory" (memory 1))
  (func $scaleRows (export "scaleRows") (param $out i32) (param $x i32) (param $s i32) (param $rows i32) (param $f i32)
    (local $e i32)
    (local $fb i32)
    (local $fbEnd i32)
    (local $op i32)
    (local $xp i32)
    (local $sv v128)
    local.get $f
    i32.const 4
    i32.mul
    local.set $fbEnd
    i32.const 0
    local.set $e
    loop
      local.get $x
      local.get $e
      local.get $fbEnd
      i32.mul
      i32.add
      local.set $xp
      local.get $out
      local.get $e
      local.get $fbEnd
      i32.mul
      i32.add
      local.set $op
      local.get $s
      local.get $e
      i32.const 2
      i32.shl
      i32.add
      v128.load32_splat
      local.set $sv
      i32.const 0
      local.set $fb
      loop
        local.get $op
        local.get $fb
        i32.add
        local.get $xp
        local.get $fb
        i32.add
        v128.load
        local.get $sv
        f32x4.mul
        v128.store
        local.get $fb
        i32.const 16
        i32.add
        local.tee $fb
        local.get $fbEnd
        i32.lt_u
        br_if 0
      end
      local.get $e
      i32.const 1
      i32.add
      local.tee $e
      local.get $rows
      i32.lt_u
      br_if 0
    end
  )
  (func $scaleRowsNarrow (export "scaleRowsNarrow") (param $out i32) (param $x i32) (param $s i32) (param $rows i32) (param $f i32)
    (local $e i32)
    (local $fb i32)
    (local $fbEnd i32)
    (local $op i32)
    (local $xp i32)
    (local $sv f32)
    local.get $f
    i32.const 4
    i32.mul
    local.set $fbEnd
    i32.const 0
    local.set $e
    loop
      local.get $x
      local.get $e
      local.get $fbEnd
      i32.mul
      i32.add
      local.set $xp
      local.get $out
      local.get $e
      local.get $fbEnd
      i32.mul
      i32.add
      local.set $op
      local.get $s
      local.get $e
      i32.const 2
      i32.shl
      i32.add
      f32.load
      local.set $sv
      i32.const 0
      local.set $fb
      loop
        local.get $op
        local.get $fb
        i32.add
        local.get $xp
        local.get $fb
        i32.add
        f32.load
        local.get $sv
        f32.mul
        f32.store
        local.get $fb
        i32.const 4
        i32.add
        local.tee $fb
        local.get $fbEnd
        i32.lt_u
        br_if 0
      end
      local.get $e
      i32.const 1
      i32.add
      local.tee $e
      local.get $rows
      i32.lt_u
      br_if 0
    end
  )
)
