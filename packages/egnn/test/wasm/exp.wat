(module
  (import "env" "memory" (memory 1))
  (func $exp (export "exp") (param $out i32) (param $x i32) (param $bytes i32)
    (local $v v128)
    (local $t v128)
    (local $nf v128)
    (local $r v128)
    (local $p v128)
    (local $f32:-87 v128)
    (local $f32:88 v128)
    (local $f32:1.442695 v128)
    (local $f32:12582912 v128)
    (local $i32:0x3f800000 v128)
    (local $f32:0.6933594 v128)
    (local $f32:-0.00021219444 v128)
    (local $f32:0.16666666 v128)
    (local $f32:0.5 v128)
    (local $f32:0.008333452 v128)
    (local $f32:0.041665796 v128)
    (local $f32:0.00019875691 v128)
    (local $f32:0.0013981999 v128)
    (local $f32:1 v128)
    (local $f32:Infinity v128)
    v128.const i32x4 0xc2ae0000 0xc2ae0000 0xc2ae0000 0xc2ae0000 ;; f32 -87 or i32 -1028784128 in each lane
    local.set $f32:-87
    v128.const i32x4 0x42b00000 0x42b00000 0x42b00000 0x42b00000 ;; f32 88 or i32 1118830592 in each lane
    local.set $f32:88
    v128.const i32x4 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b ;; f32 1.442695 or i32 1069066811 in each lane
    local.set $f32:1.442695
    v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000 ;; f32 12582912 or i32 1262485504 in each lane
    local.set $f32:12582912
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $i32:0x3f800000
    v128.const i32x4 0x3f318000 0x3f318000 0x3f318000 0x3f318000 ;; f32 0.6933594 or i32 1060208640 in each lane
    local.set $f32:0.6933594
    v128.const i32x4 0xb95e8083 0xb95e8083 0xb95e8083 0xb95e8083 ;; f32 -0.00021219444 or i32 -1184989053 in each lane
    local.set $f32:-0.00021219444
    v128.const i32x4 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa ;; f32 0.16666666 or i32 1042983594 in each lane
    local.set $f32:0.16666666
    v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000 ;; f32 0.5 or i32 1056964608 in each lane
    local.set $f32:0.5
    v128.const i32x4 0x3c088908 0x3c088908 0x3c088908 0x3c088908 ;; f32 0.008333452 or i32 1007192328 in each lane
    local.set $f32:0.008333452
    v128.const i32x4 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 ;; f32 0.041665796 or i32 1026206145 in each lane
    local.set $f32:0.041665796
    v128.const i32x4 0x39506967 0x39506967 0x39506967 0x39506967 ;; f32 0.00019875691 or i32 961571175 in each lane
    local.set $f32:0.00019875691
    v128.const i32x4 0x3ab743ce 0x3ab743ce 0x3ab743ce 0x3ab743ce ;; f32 0.0013981999 or i32 985088974 in each lane
    local.set $f32:0.0013981999
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $f32:1
    v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000 ;; f32 Infinity or i32 2139095040 in each lane
    local.set $f32:Infinity
    local.get $x
    local.get $bytes
    i32.add
    local.set $bytes
    loop
      local.get $x
      v128.load
      local.set $v
      local.get $v
      local.set $t
      local.get $t
      local.get $f32:-87
      f32x4.pmax
      local.get $f32:88
      f32x4.pmin
      local.set $t
      local.get $t
      local.get $f32:1.442695
      f32x4.mul
      local.get $f32:12582912
      f32x4.add
      local.set $nf
      local.get $nf
      i32.const 23
      i32x4.shl
      local.get $i32:0x3f800000
      i32x4.add
      local.set $p
      local.get $nf
      local.get $f32:12582912
      f32x4.sub
      local.set $nf
      local.get $t
      local.get $nf
      local.get $f32:0.6933594
      f32x4.mul
      f32x4.sub
      local.get $nf
      local.get $f32:-0.00021219444
      f32x4.mul
      f32x4.sub
      local.set $r
      local.get $r
      local.get $r
      f32x4.mul
      local.set $nf
      local.get $nf
      local.get $nf
      f32x4.mul
      local.set $t
      local.get $r
      local.get $f32:0.16666666
      f32x4.mul
      local.get $f32:0.5
      f32x4.add
      local.get $nf
      local.get $r
      local.get $f32:0.008333452
      f32x4.mul
      local.get $f32:0.041665796
      f32x4.add
      f32x4.mul
      f32x4.add
      local.get $t
      local.get $r
      local.get $f32:0.00019875691
      f32x4.mul
      local.get $f32:0.0013981999
      f32x4.add
      f32x4.mul
      f32x4.add
      local.get $nf
      f32x4.mul
      local.get $r
      local.get $f32:1
      f32x4.add
      f32x4.add
      local.get $p
      f32x4.mul
      local.set $p
      local.get $p
      local.get $v
      local.get $f32:-87
      f32x4.lt
      v128.andnot
      local.set $p
      local.get $out
      local.get $f32:Infinity
      local.get $p
      local.get $v
      local.get $f32:88
      f32x4.gt
      v128.bitselect
      v128.store
      local.get $out
      i32.const 16
      i32.add
      local.set $out
      local.get $x
      i32.const 16
      i32.add
      local.tee $x
      local.get $bytes
      i32.lt_u
      br_if 0
    end
  )
  (func $gaussian (export "gaussian") (param $out i32) (param $d i32) (param $mu i32) (param $c i32) (param $rows i32) (param $kBytes i32)
    (local $e i32)
    (local $j i32)
    (local $ds v128)
    (local $cv v128)
    (local $v v128)
    (local $t v128)
    (local $nf v128)
    (local $r v128)
    (local $p v128)
    (local $f32:-87 v128)
    (local $f32:88 v128)
    (local $f32:1.442695 v128)
    (local $f32:12582912 v128)
    (local $i32:0x3f800000 v128)
    (local $f32:0.6933594 v128)
    (local $f32:-0.00021219444 v128)
    (local $f32:0.16666666 v128)
    (local $f32:0.5 v128)
    (local $f32:0.008333452 v128)
    (local $f32:0.041665796 v128)
    (local $f32:0.00019875691 v128)
    (local $f32:0.0013981999 v128)
    (local $f32:1 v128)
    (local $f32:Infinity v128)
    v128.const i32x4 0xc2ae0000 0xc2ae0000 0xc2ae0000 0xc2ae0000 ;; f32 -87 or i32 -1028784128 in each lane
    local.set $f32:-87
    v128.const i32x4 0x42b00000 0x42b00000 0x42b00000 0x42b00000 ;; f32 88 or i32 1118830592 in each lane
    local.set $f32:88
    v128.const i32x4 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b 0x3fb8aa3b ;; f32 1.442695 or i32 1069066811 in each lane
    local.set $f32:1.442695
    v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000 ;; f32 12582912 or i32 1262485504 in each lane
    local.set $f32:12582912
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $i32:0x3f800000
    v128.const i32x4 0x3f318000 0x3f318000 0x3f318000 0x3f318000 ;; f32 0.6933594 or i32 1060208640 in each lane
    local.set $f32:0.6933594
    v128.const i32x4 0xb95e8083 0xb95e8083 0xb95e8083 0xb95e8083 ;; f32 -0.00021219444 or i32 -1184989053 in each lane
    local.set $f32:-0.00021219444
    v128.const i32x4 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa 0x3e2aaaaa ;; f32 0.16666666 or i32 1042983594 in each lane
    local.set $f32:0.16666666
    v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000 ;; f32 0.5 or i32 1056964608 in each lane
    local.set $f32:0.5
    v128.const i32x4 0x3c088908 0x3c088908 0x3c088908 0x3c088908 ;; f32 0.008333452 or i32 1007192328 in each lane
    local.set $f32:0.008333452
    v128.const i32x4 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 0x3d2aa9c1 ;; f32 0.041665796 or i32 1026206145 in each lane
    local.set $f32:0.041665796
    v128.const i32x4 0x39506967 0x39506967 0x39506967 0x39506967 ;; f32 0.00019875691 or i32 961571175 in each lane
    local.set $f32:0.00019875691
    v128.const i32x4 0x3ab743ce 0x3ab743ce 0x3ab743ce 0x3ab743ce ;; f32 0.0013981999 or i32 985088974 in each lane
    local.set $f32:0.0013981999
    v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000 ;; f32 1 or i32 1065353216 in each lane
    local.set $f32:1
    v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000 ;; f32 Infinity or i32 2139095040 in each lane
    local.set $f32:Infinity
    local.get $c
    v128.load32_splat
    local.set $cv
    i32.const 0
    local.set $e
    loop
      local.get $d
      local.get $e
      i32.const 4
      i32.mul
      i32.add
      v128.load32_splat
      local.set $ds
      i32.const 0
      local.set $j
      loop
        local.get $ds
        local.get $mu
        local.get $j
        i32.add
        v128.load
        f32x4.sub
        local.set $v
        local.get $v
        local.get $v
        f32x4.mul
        local.get $cv
        f32x4.mul
        local.set $v
        local.get $v
        local.set $t
        local.get $t
        local.get $f32:-87
        f32x4.pmax
        local.get $f32:88
        f32x4.pmin
        local.set $t
        local.get $t
        local.get $f32:1.442695
        f32x4.mul
        local.get $f32:12582912
        f32x4.add
        local.set $nf
        local.get $nf
        i32.const 23
        i32x4.shl
        local.get $i32:0x3f800000
        i32x4.add
        local.set $p
        local.get $nf
        local.get $f32:12582912
        f32x4.sub
        local.set $nf
        local.get $t
        local.get $nf
        local.get $f32:0.6933594
        f32x4.mul
        f32x4.sub
        local.get $nf
        local.get $f32:-0.00021219444
        f32x4.mul
        f32x4.sub
        local.set $r
        local.get $r
        local.get $r
        f32x4.mul
        local.set $nf
        local.get $nf
        local.get $nf
        f32x4.mul
        local.set $t
        local.get $r
        local.get $f32:0.16666666
        f32x4.mul
        local.get $f32:0.5
        f32x4.add
        local.get $nf
        local.get $r
        local.get $f32:0.008333452
        f32x4.mul
        local.get $f32:0.041665796
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $t
        local.get $r
        local.get $f32:0.00019875691
        f32x4.mul
        local.get $f32:0.0013981999
        f32x4.add
        f32x4.mul
        f32x4.add
        local.get $nf
        f32x4.mul
        local.get $r
        local.get $f32:1
        f32x4.add
        f32x4.add
        local.get $p
        f32x4.mul
        local.set $p
        local.get $p
        local.get $v
        local.get $f32:-87
        f32x4.lt
        v128.andnot
        local.set $p
        local.get $out
        local.get $f32:Infinity
        local.get $p
        local.get $v
        local.get $f32:88
        f32x4.gt
        v128.bitselect
        v128.store
        local.get $out
        i32.const 16
        i32.add
        local.set $out
        local.get $j
        i32.const 16
        i32.add
        local.tee $j
        local.get $kBytes
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
