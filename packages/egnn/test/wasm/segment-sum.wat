(module
  (import "env" "memory" (memory 1))
  (func $scatterAdd (export "scatterAdd") (param $out i32) (param $x i32) (param $seg i32) (param $rows i32) (param $f i32) (param $s0 i32) (param $s1 i32)
    (local $e i32)
    (local $fb i32)
    (local $fbEnd i32)
    (local $op i32)
    (local $xp i32)
    (local $span i32)
    local.get $f
    i32.const 4
    i32.mul
    local.set $fbEnd
    local.get $s1
    local.get $s0
    i32.sub
    local.set $span
    i32.const 0
    local.set $e
    loop
      local.get $seg
      local.get $e
      i32.const 2
      i32.shl
      i32.add
      i32.load
      local.get $s0
      i32.sub
      local.get $span
      i32.lt_u
      if
        local.get $out
        local.get $seg
        local.get $e
        i32.const 2
        i32.shl
        i32.add
        i32.load
        local.get $fbEnd
        i32.mul
        i32.add
        local.set $op
        local.get $x
        local.get $e
        local.get $fbEnd
        i32.mul
        i32.add
        local.set $xp
        i32.const 0
        local.set $fb
        loop
          local.get $op
          local.get $fb
          i32.add
          local.get $op
          local.get $fb
          i32.add
          v128.load
          local.get $xp
          local.get $fb
          i32.add
          v128.load
          f32x4.add
          v128.store
          local.get $fb
          i32.const 16
          i32.add
          local.tee $fb
          local.get $fbEnd
          i32.lt_u
          br_if 0
        end
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
  (func $scatterAddWords (export "scatterAddWords") (param $out i32) (param $x i32) (param $seg i32) (param $rows i32) (param $f i32) (param $s0 i32) (param $s1 i32)
    (local $e i32)
    (local $fb i32)
    (local $fbEnd i32)
    (local $op i32)
    (local $xp i32)
    (local $span i32)
    local.get $f
    i32.const 4
    i32.mul
    local.set $fbEnd
    local.get $s1
    local.get $s0
    i32.sub
    local.set $span
    i32.const 0
    local.set $e
    loop
      local.get $seg
      local.get $e
      i32.const 2
      i32.shl
      i32.add
      i32.load
      local.get $s0
      i32.sub
      local.get $span
      i32.lt_u
      if
        local.get $out
        local.get $seg
        local.get $e
        i32.const 2
        i32.shl
        i32.add
        i32.load
        local.get $fbEnd
        i32.mul
        i32.add
        local.set $op
        local.get $x
        local.get $e
        local.get $fbEnd
        i32.mul
        i32.add
        local.set $xp
        i32.const 0
        local.set $fb
        loop
          local.get $op
          local.get $fb
          i32.add
          local.get $op
          local.get $fb
          i32.add
          f32.load
          local.get $xp
          local.get $fb
          i32.add
          f32.load
          f32.add
          f32.store
          local.get $fb
          i32.const 4
          i32.add
          local.tee $fb
          local.get $fbEnd
          i32.lt_u
          br_if 0
        end
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
